"""The article's TensorFlow code, one concern a module:

* :mod:`~genstudy.article.code` — the two snippets verbatim, their minimal fixes, the
  normalised GAN, the list of defects (texts only);
* :mod:`~genstudy.article.tensorflow` — TensorFlow imported quietly beside torch; the
  snippets executed as written or fixed; Keras weights and parameter counts;
* :mod:`~genstudy.article.keras_training` — the TensorFlow training loops;
* :mod:`~genstudy.article.runs` — TensorFlow runs recorded and measured like every other run
  (importing this package registers their sampler with :mod:`genstudy.runs.evaluate`);
* :mod:`~genstudy.article.timing` — the PyTorch port's time per step, for the comparison.

Importing the package never imports TensorFlow; running a snippet or a TF run does.
"""

from __future__ import annotations

from genstudy.article import runs as runs  # registers the TensorFlow sampler loader
