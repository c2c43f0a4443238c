// Runs the Hub client flow the integration test checks, against HUB_URL, and prints one JSON
// object with what each call returned (or the error it raised) so the test can assert on it.
import { whoAmI, createRepo, uploadFile, modelInfo } from "@huggingface/hub";
import { step, report } from "./steps.mjs";

const hubUrl = process.env.HUB_URL;
const ownerToken = process.env.OWNER_TOKEN;
const otherToken = process.env.OTHER_TOKEN;
const repoName = process.env.REPO_NAME; // "namespace/name", owned by the owner
const resultYaml = process.env.RESULT_YAML;
const prResultYaml = process.env.PR_RESULT_YAML;


await step("whoAmI", () => whoAmI({ accessToken: ownerToken, hubUrl }));
await step("createRepo", () => createRepo({ repo: { type: "model", name: repoName }, accessToken: ownerToken, hubUrl }));
await step("uploadMain", () => uploadFile({
  repo: { type: "model", name: repoName },
  accessToken: ownerToken,
  hubUrl,
  file: { path: ".eval_results/interop.yaml", content: new Blob([resultYaml]) },
  commitTitle: "Add interop result",
}));
await step("uploadPullRequest", () => uploadFile({
  repo: { type: "model", name: repoName },
  accessToken: otherToken,
  hubUrl,
  file: { path: ".eval_results/community.yaml", content: new Blob([prResultYaml]) },
  commitTitle: "Community result",
  isPullRequest: true,
}));
// Reads are eventually consistent (API.md: visible within 2 s): poll until both results show.
await step("modelInfo", async () => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const info = await modelInfo({ name: repoName, hubUrl, additionalFields: ["evalResults"] });
      if ((info.evalResults ?? []).length >= 2 || Date.now() > deadline) return info;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

report();
