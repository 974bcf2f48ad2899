"""The fixed list of types a ``.skops`` model file may contain.

This list is kept in the code on purpose: a registrant cannot extend it, and we never trust
what ``skops.io.get_untrusted_types`` returns wholesale. Every node of the file's schema is
checked against it, including types skops itself trusts by default.
"""

from __future__ import annotations

BUILTINS = {
    "builtins." + name
    for name in (
        "dict",
        "list",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "NoneType",
        "slice",
        "set",
        "frozenset",
        "complex",
        "bytes",
        "bytearray",
    )
}

NUMPY = {
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.ma.core.MaskedArray",
    "numpy.random.mtrand.RandomState",
    "numpy.random._generator.Generator",
    "numpy.random._pcg64.PCG64",
    "numpy.random._mt19937.MT19937",
} | {
    "numpy." + t
    for t in (
        "float64",
        "float32",
        "float16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint64",
        "uint32",
        "uint16",
        "uint8",
        "bool_",
        "bool",
        "str_",
        "object_",
    )
}

# Plain numpy functions allowed inside a FunctionTransformer.
NUMPY_FUNCTIONS = {"numpy." + f for f in ("log1p", "expm1", "log", "exp", "sqrt", "square")}

SCIPY = {
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csc.csc_matrix",
    "scipy.sparse._csr.csr_array",
    "scipy.sparse._csc.csc_array",
}

_SK = {
    "sklearn.pipeline": ["Pipeline", "FeatureUnion"],
    "sklearn.compose._column_transformer": ["ColumnTransformer"],
    "sklearn.compose._target": ["TransformedTargetRegressor"],
    "sklearn.preprocessing._data": [
        "StandardScaler",
        "MinMaxScaler",
        "RobustScaler",
        "MaxAbsScaler",
        "Binarizer",
    ],
    "sklearn.preprocessing._encoders": ["OneHotEncoder", "OrdinalEncoder"],
    "sklearn.preprocessing._discretization": ["KBinsDiscretizer"],
    "sklearn.preprocessing._function_transformer": ["FunctionTransformer"],
    "sklearn.preprocessing._label": ["LabelEncoder", "LabelBinarizer"],
    "sklearn.impute._base": ["SimpleImputer", "MissingIndicator"],
    "sklearn.dummy": ["DummyClassifier", "DummyRegressor"],
    "sklearn.tree._classes": [
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "ExtraTreeClassifier",
        "ExtraTreeRegressor",
    ],
    "sklearn.tree._tree": ["Tree"],
    "sklearn.ensemble._forest": [
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
    ],
    "sklearn.ensemble._gb": ["GradientBoostingClassifier", "GradientBoostingRegressor"],
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting": [
        "HistGradientBoostingClassifier",
        "HistGradientBoostingRegressor",
    ],
    "sklearn.ensemble._hist_gradient_boosting.binning": ["_BinMapper"],
    "sklearn.ensemble._hist_gradient_boosting.predictor": ["TreePredictor"],
    "sklearn.linear_model._base": ["LinearRegression"],
    "sklearn.linear_model._ridge": ["Ridge", "RidgeClassifier"],
    "sklearn.linear_model._coordinate_descent": ["Lasso", "ElasticNet"],
    "sklearn.linear_model._logistic": ["LogisticRegression"],
    "sklearn.neural_network._multilayer_perceptron": ["MLPClassifier", "MLPRegressor"],
    "sklearn.neural_network._stochastic_optimizers": ["AdamOptimizer", "SGDOptimizer"],
    "sklearn.neighbors._classification": ["KNeighborsClassifier"],
    "sklearn.neighbors._regression": ["KNeighborsRegressor"],
    "sklearn.neighbors._kd_tree": ["KDTree"],
    "sklearn.neighbors._ball_tree": ["BallTree"],
    "sklearn.metrics._dist_metrics": ["EuclideanDistance64"],
    "sklearn.svm._classes": ["SVC", "SVR"],
    "sklearn._loss.loss": [
        "HalfSquaredError",
        "HalfBinomialLoss",
        "HalfMultinomialLoss",
        "AbsoluteError",
        "HuberLoss",
        "PinballLoss",
        "HalfPoissonLoss",
    ],
    "sklearn._loss._loss": [
        "CyHalfSquaredError",
        "CyHalfBinomialLoss",
        "CyHalfMultinomialLoss",
        "CyAbsoluteError",
        "CyHuberLoss",
        "CyPinballLoss",
        "CyHalfPoissonLoss",
    ],
    "sklearn._loss.link": ["IdentityLink", "LogitLink", "LogLink", "MultinomialLogit", "Interval"],
}
SKLEARN = {f"{module}.{name}" for module, names in _SK.items() for name in names}

ALLOWED_TYPES: frozenset[str] = frozenset(BUILTINS | NUMPY | SCIPY | SKLEARN)
ALLOWED_FUNCTIONS: frozenset[str] = frozenset(NUMPY_FUNCTIONS)

# Parts a registrant builds a model from, by the modules they live in; the rest of ``_SK`` are
# the internals those parts are saved with (trees, binners, losses, distance metrics).
_PART_GROUPS = {
    "pipeline": ("sklearn.pipeline", "sklearn.compose."),
    "preprocessing": ("sklearn.preprocessing.", "sklearn.impute."),
    "model": (
        "sklearn.dummy",
        "sklearn.tree._classes",
        "sklearn.ensemble._forest",
        "sklearn.ensemble._gb",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting",
        "sklearn.linear_model.",
        "sklearn.neural_network._multilayer_perceptron",
        "sklearn.neighbors._classification",
        "sklearn.neighbors._regression",
        "sklearn.svm.",
    ),
}


def accepted_parts() -> dict[str, list[str]]:
    """What a model may be built from, for registrants: pipelines, preprocessing, models and the
    numpy functions a FunctionTransformer may call. Generated from the allowlist itself."""
    parts: dict[str, list[str]] = {group: [] for group in _PART_GROUPS}
    for module, names in _SK.items():
        for group, prefixes in _PART_GROUPS.items():
            if any(module == p or module.startswith(p) for p in prefixes):
                parts[group].extend(names)
    parts = {group: sorted(set(names)) for group, names in parts.items()}
    parts["function"] = sorted(f.split(".", 1)[1] for f in NUMPY_FUNCTIONS)
    return parts


def accepted_parts_text() -> str:
    """The accepted parts in one line: 'ColumnTransformer, …; numpy: exp, log, …'."""
    parts = accepted_parts()
    classes = parts["pipeline"] + parts["preprocessing"] + parts["model"]
    return (
        ", ".join(classes)
        + "; FunctionTransformer with numpy."
        + ", numpy.".join(parts["function"])
    )
