// Runs the Hub client's file calls the integration test checks, against HUB_URL, on a gated dataset:
// the owner uploads a data file (preupload, LFS batch, PUT, commit), a granted user downloads it, a
// stranger is refused. Prints one JSON object with what each call returned (or the error it raised).
import { uploadFile, downloadFile, fileExists, listFiles, listModels, datasetInfo } from "@huggingface/hub";
import { step, report } from "./steps.mjs";

const hubUrl = process.env.HUB_URL;
const ownerToken = process.env.OWNER_TOKEN;
const grantedToken = process.env.GRANTED_TOKEN;
const strangerToken = process.env.STRANGER_TOKEN;
const dataset = process.env.DATASET; // "namespace/name", gated, owned by the owner
const org = process.env.ORG;
const content = process.env.DATA_CONTENT;
const repo = { type: "dataset", name: dataset };


await step("upload", async () => {
  const result = await uploadFile({
    repo, accessToken: ownerToken, hubUrl,
    file: { path: "data/test.jsonl", content: new Blob([content]) },
    commitTitle: "Add the test set",
  });
  return { oid: result.commit.oid };
});
await step("fileExists", () => fileExists({ repo, path: "data/test.jsonl", accessToken: ownerToken, hubUrl }));
await step("fileMissing", () => fileExists({ repo, path: "data/nothing.jsonl", accessToken: ownerToken, hubUrl }));
await step("downloadGranted", async () => {
  const blob = await downloadFile({ repo, path: "data/test.jsonl", accessToken: grantedToken, hubUrl });
  return { text: await blob.text(), size: blob.size };
});
await step("downloadStranger", async () => {
  const blob = await downloadFile({ repo, path: "data/test.jsonl", accessToken: strangerToken, hubUrl });
  return { text: await blob?.text() };
});
await step("listFiles", async () => {
  const files = [];
  for await (const file of listFiles({ repo, recursive: true, hubUrl })) files.push({ path: file.path, type: file.type, size: file.size, oid: file.oid });
  return files;
});
await step("listModels", async () => {
  const models = [];
  for await (const model of listModels({ search: { owner: org }, hubUrl })) models.push(model.name);
  return models;
});
await step("datasetInfo", () => datasetInfo({ name: dataset, hubUrl, accessToken: strangerToken }));

report();
