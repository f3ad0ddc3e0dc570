from tmslab.cli import run

run()
