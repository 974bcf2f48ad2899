"""Run every benchmark in this folder, one after another, and let each print its figures."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False)
