"""Refusals of issue 24: checks that leave a hunk a conflict where a merge of two texts
would not be what people commit (a side's rewrite the other side's lines missed, a
diagnostic neither side has, a file head, a list's layout, two version bumps). Each
module gives reasons in words; :mod:`santamerge.merge.gates` calls them."""

# methods that merge the sides, as opposed to a side (or the base) taken as it is
MERGING = ("structured:", "merged:")
