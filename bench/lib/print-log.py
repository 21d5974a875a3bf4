# The step of the `logs` benchmark: prints MEGABYTES of build-log-like text
# (10**6 bytes per megabyte) to stdout, the same text on every run, and every
# SECRET_EVERY-th line carries one or two of the secrets in SECRETS_JSON (raw,
# in a URL, as a bearer token, base64-encoded). Writes through its own 64 KiB
# buffer, so PYTHONUNBUFFERED in the environment changes nothing.
#
# usage: python3 print-log.py SECRETS_JSON MEGABYTES SECRET_EVERY

import base64
import io
import json
import random
import sys

secrets_file, megabytes, secret_every = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
with open(secrets_file, encoding="utf-8") as f:
    secrets = json.load(f)

rnd = random.Random(20240601)
words = [
    "Compiling", "module", "src/engine/run.ts", "test", "passed", "PASS", "ok", "INFO", "DEBUG", "WARN",
    "fetching", "https://registry.example.com/pkg/-/pkg-1.2.3.tgz", "cache", "hit", "miss", "0.0123s",
    "[build]", "linking", "target/release/app", "=>", "resolved", "123 packages", "in", "4.2s", "done",
]
pool = [" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 18))) for _ in range(4096)]
templates = [
    "export API_TOKEN={0}",
    "curl -H 'Authorization: Bearer {0}' https://api.example.com/v1/deploy",
    "cloning https://ci:{0}@git.example.com/org/repo.git",
    "{0}",
    "config: {{\"password\": \"{0}\", \"user\": \"deploy\"}}",
    "two tokens: {0} and {1} in one line",
    "basic auth header: {2}",
]

out = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16), encoding="utf-8", newline="\n")
target = int(megabytes * 1_000_000)
written = 0
i = 0
while written < target:
    if i % secret_every == secret_every - 1:
        k = i // secret_every
        first, second = secrets[k % len(secrets)], secrets[(k * 7 + 3) % len(secrets)]
        encoded = base64.b64encode(first.encode("utf-8")).decode("ascii")
        line = f"{i:09d} " + templates[k % len(templates)].format(first, second, encoded) + "\n"
    else:
        line = f"{i:09d} {pool[i & 4095]}\n"
    out.write(line)
    written += len(line)
    i += 1
out.flush()
