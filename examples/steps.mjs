// What the interop scripts share: each step's answer (or the error it raised) kept under its name,
// printed at the end as one JSON object for the integration test to read.
export const out = {};

export async function step(name, action) {
  try {
    out[name] = await action();
  } catch (error) {
    out[name] = { error: String(error?.message ?? error), status: error?.statusCode };
  }
}

export function report() {
  console.log(JSON.stringify(out));
}
