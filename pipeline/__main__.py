"""``python -m pipeline …`` runs the same command line as ``diaoyan …`` (handy from a
checkout that is not the installed one, e.g. a git worktree)."""

from pipeline.cli import main

main()
