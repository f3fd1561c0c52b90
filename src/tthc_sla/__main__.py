"""``python -m tthc_sla``: the command line."""

from tthc_sla.cli import program

if __name__ == "__main__":
    raise SystemExit(program())
