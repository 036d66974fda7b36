"""The mutation score of the reference server: the suite's own measure of strength.

Every mutant is the reference server's code (conformance/server/) with one small change: an operator,
a constant, a status code, a string (header names and media types among them), a deleted statement
or a returned value. The default suite is run against each one in a fresh process, as a user runs
it; a mutant the suite does not fail either behaves as the contract allows (equivalent, or outside the
contract) or shows a gap in its checks. `python -m mutation` (`make mutants`) measures them all and
writes docs/mutation.md's tables; docs/mutation.md says how to read them.

- `mutants.py`: the mutants of a source file, in a fixed order, each applied to a copy of the text.
- `trial.py`: one mutant against the suite: a scratch copy of the checkout, the run, its outcome.
- `survivors.py`: why each surviving mutant survives, as data.
- `score.py`: all of them, two at a time, and the tables.
"""
