#!/usr/bin/env python3
"""make-reference.py - turn the output folder of scripts/gpu-check.sh into a reference
folder (reference/NAME/): the run's JSON documents, each validated, under the names
`whygpu report --from` and `whygpu compare` read, plus provenance.json (machine, GPU,
driver, CUDA, CPU, date, commit, the exact commands, and which documents are absent and
why), every fact taken from the run's own files. Nothing is typed in by hand.

    scripts/make-reference.py GPU_CHECK_OUT_DIR NAME [--into DIR] [--label TEXT]

GPU_CHECK_OUT_DIR holds gpu-check.sh's files: gpu-check.log, tests.log, demo.json,
explain.json, ... with sweep.tar.gz and ladder.tar.gz either packed or unpacked.
NAME ([a-z0-9][a-z0-9._-]*) names the folder: reference/NAME/ in this checkout, or
DIR/NAME/ with --into DIR. --label sets the short machine label shown next to recorded
figures (default: the GPU's name without "NVIDIA "). The format is in docs/reference.md.

Exit status: 0 written, 1 the run's files are unusable (a JSON document that does not
parse or has the wrong schema; no gpu-check.log), 2 bad usage.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

REFERENCE_SCHEMA = "whygpu.reference/1"
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# Every document a reference may hold: its file name in the reference (the names
# `whygpu report --from` looks for), the names gpu-check.sh has used for it, the schema
# it must carry, the gpu-check step that makes it, and what must be true of its content.
DOCUMENTS = [
    # name, reference file, source names, schema, gpu-check steps, extra check
    ("info", "info.json", ["info.json"], "whygpu.info/", ["info-json", "info"], None),
    ("demo", "demo.json", ["demo.json"], "whygpu.demo/", ["demo"], None),
    ("explain", "explain.json", ["explain.json"], "whygpu.explain/", ["explain"], None),
    ("sweep-matmul", "sweep.json", ["sweep.json", "sweep-matmul.json"], "whygpu.sweep/",
     ["sweep-matmul"], ("op", "matmul")),
    ("sweep-mul", "sweep-mul.json", ["sweep-mul.json"], "whygpu.sweep/", ["sweep-mul"],
     ("op", "mul")),
    ("ladder", "ladder.json", ["ladder.json"], "whygpu.ladder/", ["ladder"], None),
    ("train-compare", "train.json", ["train.json", "train-compare.json"], "whygpu.train/",
     ["train"], ("mode", "compare")),
    ("bench-gemm", "bench-gemm.json", ["bench-gemm.json"], "whygpu.bench-gemm/", ["bench-gemm"],
     None),
]


class Unusable(Exception):
    """The run's files cannot make a reference; the message names the file and why."""


def fail_usage(message):
    print(f"make-reference: {message}", file=sys.stderr)
    sys.exit(2)


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def unpack_tarballs(src, work):
    """Copies the run's plain files into work/ and unpacks sweep.tar.gz / ladder.tar.gz
    there (gpu-check.sh packs them so the device tool brings back few files)."""
    for entry in os.listdir(src):
        path = os.path.join(src, entry)
        if os.path.isfile(path) and not entry.endswith(".tar.gz"):
            shutil.copy(path, os.path.join(work, entry))
    for entry in sorted(os.listdir(src)):
        if not entry.endswith(".tar.gz"):
            continue
        path = os.path.join(src, entry)
        try:
            with tarfile.open(path, "r:gz") as tar:
                for member in tar.getmembers():
                    name = os.path.basename(member.name)
                    if not member.isfile() or not name or name.startswith("."):
                        continue
                    data = tar.extractfile(member).read()
                    # A file already unpacked next to the tarball wins (the same bytes).
                    target = os.path.join(work, name)
                    if not os.path.exists(target):
                        with open(target, "wb") as out:
                            out.write(data)
        except (tarfile.TarError, OSError, EOFError) as e:
            raise Unusable(f"{path}: not a readable tar.gz ({e})")


def parse_summary(path):
    """The facts of gpu-check.log: date, commit, uname, lscpu, nvidia-smi, nvcc, whygpu
    info, and every step's command and exit status."""
    text = read_text(path)
    lines = text.splitlines()
    facts = {"date": None, "commit": None, "os": None, "cpu": {}, "gpu": {}, "nvcc": None,
             "whygpu_info": [], "steps": [], "finished": None}
    m = re.search(r"^# date: (\S+)\s+commit: (\S+)", text, re.M)
    if m:
        facts["date"], facts["commit"] = m.group(1), m.group(2)
    for line in lines:
        if line.startswith(("Linux ", "Darwin ")) and facts["os"] is None:
            facts["os"] = line.strip()
    lscpu = {"Model name": "model", "CPU(s)": "logical_cpus", "Thread(s) per core":
             "threads_per_core", "Socket(s)": "sockets", "L1d cache": "l1d", "L2 cache": "l2",
             "L3 cache": "l3"}
    for line in lines:
        m = re.match(r"^([A-Za-z0-9() ]+):\s+(.+)$", line)
        if m and m.group(1).strip() in lscpu and lscpu[m.group(1).strip()] not in facts["cpu"]:
            value = m.group(2).strip()
            key = lscpu[m.group(1).strip()]
            facts["cpu"][key] = int(value) if value.isdigit() else value
    m = re.search(r"Driver Version:\s*(\S+)\s+CUDA Version:\s*(\S+)", text)
    if m:
        facts["gpu"]["driver"] = m.group(1)
        facts["gpu"]["driver_cuda_version"] = m.group(2)
    gpus = re.findall(r"^\|\s+(\d+)\s+(\S.*?\S)\s{2,}(?:On|Off)\s+\|", text, re.M)
    if gpus:
        facts["gpu"]["nvidia_smi_name"] = gpus[0][1]
        facts["gpu"]["count"] = len(gpus)
    m = re.search(r"Cuda compilation tools, (release [^\n]+)", text)
    if m:
        facts["nvcc"] = m.group(1).strip()
    # The `whygpu info` block: from its step line to the next "== " line.
    inside = False
    for line in lines:
        if line.startswith("== info:"):
            inside = True
            continue
        if inside and line.startswith("== "):
            break
        if inside:
            facts["whygpu_info"].append(line.rstrip())
    # Steps: "== NAME: COMMAND[ > NAME.json]" then "   exit status N".
    current = None
    for line in lines:
        m = re.match(r"^== ([A-Za-z0-9_-]+): (.+)$", line)
        if m and m.group(1) not in ("gpu-check finished",):
            current = {"step": m.group(1), "command": m.group(2).strip(), "exit_status": None}
            facts["steps"].append(current)
            continue
        m = re.match(r"^\s+exit status (-?\d+)\s*$", line)
        if m and current is not None and current["exit_status"] is None:
            current["exit_status"] = int(m.group(1))
            continue
        m = re.match(r"^== gpu-check finished: (.+)$", line)
        if m:
            facts["finished"] = m.group(1).strip()
    return facts


def info_fields(info_lines):
    """Key facts of the `whygpu info` text, per section (CPU, GPU): the GPU's name, compute
    capability, SMs, memory, clocks; the CPU's model, cores, SIMD and caches."""
    wanted = {"CPU": {"model": "model", "cores": "cores", "SIMD features": "simd_features",
                      "caches": "caches", "memory": "memory"},
              "GPU": {"GPU 0": "name", "compute capability": "compute_capability",
                      "SMs": "sm_count", "memory": "memory", "SM clock": "sm_clock",
                      "memory clock": "memory_clock", "L2 cache": "l2",
                      "driver / runtime": "cuda_driver_runtime"}}
    out = {"CPU": {}, "GPU": {}}
    section = None
    for line in info_lines:
        if line.strip() in wanted and not line.startswith(" "):
            section = line.strip()
            continue
        m = re.match(r"^\s+(\S.*?)\s{2,}(\S.*)$", line)
        if section and m and m.group(1) in wanted[section]:
            key = wanted[section][m.group(1)]
            value = m.group(2).strip()
            out[section].setdefault(key, int(value) if value.isdigit() else value)
    return out


def tests_summary(path):
    if not os.path.isfile(path):
        return None
    for line in reversed(read_text(path).splitlines()):
        if re.match(r"^\d+ passed, \d+ failed", line):
            return line.strip()
    return None


def load_document(path, schema_prefix, extra):
    """Parses and validates one JSON document; raises Unusable naming the file and field."""
    try:
        doc = json.loads(read_text(path))
    except ValueError as e:
        raise Unusable(f"{path}: not valid JSON ({e})")
    if not isinstance(doc, dict):
        raise Unusable(f"{path}: not a whygpu JSON document (the top level is not an object)")
    schema = doc.get("schema")
    if not isinstance(schema, str):
        raise Unusable(f"{path}: the field 'schema' is missing")
    if not schema.startswith(schema_prefix):
        raise Unusable(f"{path}: schema '{schema}', expected {schema_prefix}N")
    if extra and doc.get(extra[0]) != extra[1]:
        raise Unusable(f"{path}: the field '{extra[0]}' is {json.dumps(doc.get(extra[0]))}, "
                       f"expected \"{extra[1]}\"")
    return doc


def absent_reason(name, step_names, steps, work):
    """Why a document is not in the run, in words taken from the run's own log."""
    mine = [s for s in steps if s["step"] in step_names]
    step = step_names[0]
    if not mine:
        return f"the run has no {step} step: the gpu-check.sh that made it did not run it"
    s = mine[0]
    step = s["step"]
    if s["exit_status"] not in (0, None):
        return f"the {step} step failed (exit status {s['exit_status']}) and left no JSON"
    if "--json" not in s["command"]:
        log = f"{step}.log" if os.path.isfile(os.path.join(work, f"{step}.log")) else "gpu-check.log"
        return (f"the run's {step} step wrote only text (into {log}): the gpu-check.sh that "
                f"made it did not ask for --json (command: {s['command']})")
    return f"the {step} step ran ({s['command']}) but its JSON is not in the folder"


def git_commit_of_script():
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        return subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def make_reference(src, name, into, label):
    summary_path = os.path.join(src, "gpu-check.log")
    if not os.path.isfile(summary_path):
        raise Unusable(f"{src}: no gpu-check.log (is this an output folder of scripts/gpu-check.sh?)")
    with tempfile.TemporaryDirectory() as work:
        unpack_tarballs(src, work)
        facts = parse_summary(os.path.join(work, "gpu-check.log"))
        documents, absent, loaded = {}, {}, {}
        for key, ref_file, sources, schema, step, extra in DOCUMENTS:
            found = next((f for f in sources if os.path.isfile(os.path.join(work, f))), None)
            if found is None:
                absent[key] = absent_reason(key, step, facts["steps"], work)
                continue
            try:
                doc = load_document(os.path.join(work, found), schema, extra)
            except Unusable as e:  # name the file as the run has it, not our copy
                raise Unusable(str(e).replace(work, src.rstrip("/")))
            loaded[key] = (ref_file, found, doc)
            documents[key] = {"file": ref_file, "from": found, "schema": doc["schema"],
                              "whygpu_version": doc.get("whygpu_version"),
                              "date": doc.get("date"), "command": doc.get("command")}
        if "demo" not in loaded and "explain" not in loaded and "sweep-matmul" not in loaded:
            raise Unusable(f"{src}: none of demo.json, explain.json, sweep JSON: nothing to refer to")

        # The machine: the JSON documents' own machine blocks first, then the log's facts.
        machine = {"os": facts["os"], "cpu": dict(facts["cpu"]), "gpu": dict(facts["gpu"]),
                   "nvcc": facts["nvcc"]}
        info = info_fields(facts["whygpu_info"])
        for doc_key in ("demo", "explain", "sweep-matmul"):
            if doc_key in loaded:
                block = loaded[doc_key][2].get("machine") or {}
                cpu, gpu = block.get("cpu") or {}, block.get("gpu") or {}
                if isinstance(cpu, dict):
                    for k in ("model", "logical_cpus", "threads", "simd"):
                        if k in cpu and cpu[k] is not None:
                            machine["cpu"].setdefault(k if k != "threads" else "omp_threads",
                                                      cpu[k])
                if isinstance(gpu, dict) and gpu.get("name"):
                    machine["gpu"].setdefault("name", gpu["name"])
        if "ladder" in loaded:
            g = loaded["ladder"][2].get("gpu") or {}
            for k in ("name", "compute_capability", "sm_count"):
                if g.get(k) is not None:
                    machine["gpu"].setdefault(k, g[k])
        if "info" in loaded:
            doc = loaded["info"][2]
            devices = (doc.get("gpu") or {}).get("devices") or []
            if devices and isinstance(devices[0], dict):
                for k in ("name", "compute_capability", "sm_count", "total_memory_bytes",
                          "driver_version", "runtime_version"):
                    if devices[0].get(k) is not None:
                        machine["gpu"].setdefault(k, devices[0][k])
        for k, v in info["GPU"].items():
            machine["gpu"].setdefault(k, v)
        for k, v in info["CPU"].items():
            machine["cpu"].setdefault(k if k != "memory" else "memory", v)
        # A run without a GPU (a laptop, a hosted CPU runtime) makes a reference too, named
        # after its CPU; its GPU figures are simply absent from its documents.
        gpu_name = machine["gpu"].get("name") or machine["gpu"].get("nvidia_smi_name")
        if gpu_name:
            machine["gpu"]["name"] = gpu_name
        cpu_name = machine["cpu"].get("model")
        if not gpu_name and not cpu_name:
            raise Unusable(f"{summary_path}: neither a GPU nor a CPU is named in the run "
                           "(nvidia-smi, lscpu, whygpu info and the documents are all silent)")
        if label is None:
            label = re.sub(r"^NVIDIA\s+", "", gpu_name) if gpu_name else cpu_name
        date = facts["date"] or next((d["date"] for d in documents.values() if d["date"]), None)
        if not date:
            raise Unusable(f"{summary_path}: no '# date:' line and no dated document")

        commands = [s for s in facts["steps"]]
        provenance = {
            "schema": REFERENCE_SCHEMA,
            "name": name,
            "label": label,
            "date": date,
            "commit": facts["commit"],
            "source": os.path.relpath(os.path.abspath(src), REPO),
            "machine": machine,
            "whygpu_info": facts["whygpu_info"],
            "commands": commands,
            "tests": tests_summary(os.path.join(work, "tests.log")),
            "finished": facts["finished"],
            "documents": documents,
            "absent": absent,
            "made_by": {"script": "scripts/make-reference.py",
                        "command": "scripts/make-reference.py " + " ".join(sys.argv[1:]),
                        "script_commit": git_commit_of_script()},
        }

        target = os.path.join(into, name)
        staging = target + ".new"
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        for key, (ref_file, found, _doc) in loaded.items():
            shutil.copy(os.path.join(work, found), os.path.join(staging, ref_file))
        with open(os.path.join(staging, "provenance.json"), "w", encoding="utf-8") as f:
            json.dump(provenance, f, indent=2, ensure_ascii=False)
            f.write("\n")
        shutil.rmtree(target, ignore_errors=True)
        os.rename(staging, target)
        return target, provenance


def main(argv):
    args, into, label = [], None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--into", "--label"):
            if i + 1 >= len(argv):
                fail_usage(f"{a} needs a value")
            if a == "--into":
                into = argv[i + 1]
            else:
                label = argv[i + 1]
            i += 2
            continue
        if a.startswith("--into="):
            into = a.split("=", 1)[1]
        elif a.startswith("--label="):
            label = a.split("=", 1)[1]
        elif a.startswith("-"):
            fail_usage(f"unknown option '{a}' (see --help)")
        else:
            args.append(a)
        i += 1
    if len(args) != 2:
        fail_usage("usage: make-reference.py GPU_CHECK_OUT_DIR NAME [--into DIR] [--label TEXT]")
    src, name = args
    if not os.path.isdir(src):
        fail_usage(f"'{src}' is not a folder")
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
        fail_usage(f"NAME '{name}' must be lower-case letters, digits, '.', '_' or '-'")
    if into is None:
        into = os.path.join(REPO, "reference")
    os.makedirs(into, exist_ok=True)
    try:
        target, prov = make_reference(src, name, into, label)
    except Unusable as e:
        print(f"make-reference: {e}", file=sys.stderr)
        return 1
    print(f"make-reference: {os.path.normpath(target)}: {len(prov['documents'])} documents "
          f"({', '.join(sorted(prov['documents']))}), {prov['label']}, recorded "
          f"{prov['date'][:10]}")
    for key, why in sorted(prov["absent"].items()):
        print(f"make-reference:   absent {key}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
