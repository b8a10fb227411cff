"""The book's machinery, which never changes a number (so it stays out of the cache's package
fingerprint): the grid of notebook executions (:mod:`~genstudy.site.pipeline`,
:mod:`~genstudy.site.execution`, :mod:`~genstudy.site.cache`, :mod:`~genstudy.site.engines`),
publishing and building the HTML (:mod:`~genstudy.site.publish`, :mod:`~genstudy.site.sphinx_site`),
the browser check (:mod:`~genstudy.site.sitecheck`), refreshing the notebooks' reference outputs
(:mod:`~genstudy.site.notebooks`) and the command line (:mod:`~genstudy.site.cli`)."""
