"""Explanation methods for the kinds of decision logic beyond scikit-learn tabular models.

* ``boosters``: XGBoost (JSON/UBJ) and LightGBM (text) model files, alone or after a ``.skops``
  preprocessing step — exact TreeSHAP in the original inputs, probability scale for yes/no.
* ``text``: scikit-learn text pipelines (Count/Tfidf vectoriser, then a linear model or naive
  Bayes) — exact contributions per word of the resident's own text, marked without colour.
* ``onnx``: ONNX models run by onnxruntime — a sampled Shapley estimate against the reference
  data with its error measured against an exact computation.

Every method returns a ``KindExplanation``: the shared ``Explanation`` plus ``outputs`` and the
method's ``accuracy`` (see ``common``).
"""
