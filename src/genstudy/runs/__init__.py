"""Runs and their records: train a model (:mod:`~genstudy.runs.train`), measure it
(:mod:`~genstudy.runs.evaluate`), keep what was done (:mod:`~genstudy.runs.record`, one schema
for every run; :mod:`~genstudy.runs.executions`, the book's notebook executions), its files
(:mod:`~genstudy.runs.artifacts`), the feature classifier's training (:mod:`~genstudy.runs.classifier`),
and the helpers the model chapters call (:mod:`~genstudy.runs.chapter`)."""
