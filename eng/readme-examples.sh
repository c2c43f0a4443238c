#!/usr/bin/env bash
# Runs README's examples in order, as a newcomer would paste them, so that they cannot rot:
# every ```sh block of README.md, in one bash (variables carry from block to block), with README's
# gateway address and data directory swapped for those of the stack under test. It also checks
# that each file README shows (a <!-- file: path --> line before its block) is shown as it is.
#
#   eng/readme-examples.sh        against a fresh `dotnet run --project AppHost` (http://127.0.0.1:5080, .data/)
#   GATEWAY=http://127.0.0.1:PORT DATA_DIR=/abs/data/dir eng/readme-examples.sh
#
# Needs jq, node and npm, and Python's pika and PyJWT (Debian: python3-pika, python3-jwt, which
# eng/prerequisites.sh installs); Debian's /usr/bin/python3 is put first on PATH for them.
set -euo pipefail
cd "$(dirname "$0")/.."
gateway=${GATEWAY:-http://127.0.0.1:5080}
data_dir=${DATA_DIR:-$PWD/.data}
export PATH=/usr/bin:$PATH

script=$(mktemp)
trap 'rm -f "$script"' EXIT
python3 - "$gateway" "$data_dir" > "$script" <<'PY'
import pathlib, re, sys
gateway, data_dir = sys.argv[1], sys.argv[2]
readme = pathlib.Path("README.md").read_text()
problems = []
for match in re.finditer(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", readme, re.S):
    path, shown = match.group(1), match.group(2)
    if pathlib.Path(path).read_text() != shown:
        problems.append(f"README shows {path}, but not as the file is")
if problems:
    sys.exit("\n".join(problems))
print("set -euo pipefail")
for number, block in enumerate(re.findall(r"^```sh\n(.*?)^```$", readme, re.S | re.M), start=1):
    block = block.replace("http://127.0.0.1:5080", gateway).replace(".data/", data_dir.rstrip("/") + "/")
    print(f"echo '--- README example {number}'")
    print(block)
PY
bash "$script"
echo "README examples: all ran"
