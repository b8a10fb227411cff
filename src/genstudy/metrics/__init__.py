"""The yardsticks every family is measured with, each a function with a tested contract:

* :mod:`~genstudy.metrics.classifier` — the project-trained feature space of the image metrics;
* :mod:`~genstudy.metrics.distances` — Fréchet and kernel distances (torchmetrics);
* :mod:`~genstudy.metrics.manifold` — precision/recall, density/coverage (k-NN balls);
* :mod:`~genstudy.metrics.coverage` — class coverage of images, mode coverage of 2-D samples;
* :mod:`~genstudy.metrics.spread` — spread of a set of samples (a collapse check);
* :mod:`~genstudy.metrics.ais`, :mod:`~genstudy.metrics.likelihood` — the families' own
  likelihood estimators (AIS, DBN bound, VAE bounds) and the Parzen window;
* :mod:`~genstudy.metrics.catalog` — titles and better directions of the record's metrics.
"""
