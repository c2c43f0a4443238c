// README's walk-through with the unmodified @huggingface/hub client: alice registers the benchmark
// acme/quiz (a dataset repo whose eval.yaml makes it one) and publishes model acme/model-7b's score
// on it, then reads the result back. Run again with another value to publish a change.
//   HUB_URL=http://127.0.0.1:5080 HF_TOKEN=hf_... node examples/publish.mjs [value]
import { createRepo, uploadFile, modelInfo } from "@huggingface/hub";

const hubUrl = process.env.HUB_URL ?? "http://127.0.0.1:5080";
const accessToken = process.env.HF_TOKEN;
const value = process.argv[2] ?? "75.0";

const evalYaml = `name: Quiz
description: Twenty questions, scored by exact match.
evaluation_framework: inspect-ai
tasks:
  - id: main
    field_spec: {input: question, target: answer}
    solvers: [{name: generate}]
    scorers: [{name: match}]
leaderboard:
  main: {metric: accuracy, higher_is_better: true, range: [0, 100]}
`;
const resultYaml = `- dataset:
    id: acme/quiz
    task_id: main
  value: ${value}
  source:
    url: https://example.org/acme/model-7b
    name: acme's own run (the Inspect log in examples/)
`;

// A rerun finds the repos there already (409): that is fine.
async function ensureRepo(repo) {
  try {
    await createRepo({ repo, accessToken, hubUrl });
  } catch (error) {
    if (error?.statusCode !== 409) throw error;
  }
}

await ensureRepo({ type: "dataset", name: "acme/quiz" });
await uploadFile({ repo: { type: "dataset", name: "acme/quiz" }, accessToken, hubUrl,
  file: { path: "eval.yaml", content: new Blob([evalYaml]) } });

await ensureRepo({ type: "model", name: "acme/model-7b" });
await uploadFile({ repo: { type: "model", name: "acme/model-7b" }, accessToken, hubUrl,
  file: { path: ".eval_results/quiz.yaml", content: new Blob([resultYaml]) } });   // isPullRequest: true to propose instead

// Reads follow writes within a second or two: ask until the new value shows.
const deadline = Date.now() + 10_000;
for (;;) {
  const info = await modelInfo({ name: "acme/model-7b", hubUrl, additionalFields: ["evalResults"] }).catch(() => null);
  const results = info?.evalResults ?? [];
  if (results.some((r) => Number(r.data?.value) === Number(value))) {
    console.log(JSON.stringify(results, null, 2));
    break;
  }
  if (Date.now() > deadline) throw new Error(`acme/model-7b shows no result of ${value} after 10 s`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
