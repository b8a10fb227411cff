"""The chapters' logic over run records: tables (:mod:`~genstudy.study.tables`,
:mod:`~genstudy.study.report`), figures (:mod:`~genstudy.study.plots`), the article's claims
checked (:mod:`~genstudy.study.claims`), the 2-D mode-collapse study (:mod:`~genstudy.study.toy`)
and the networks shown from their source (:mod:`~genstudy.study.source`)."""
