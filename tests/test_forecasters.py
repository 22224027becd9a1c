"Every registered forecaster through the common interface: shapes, batching, determinism, save/load, errors."
import io
import json

import equinox as eqx
import jax
import numpy as np
import pytest

from chaoslit import forecasters, systems
from chaoslit.core import ChaoslitError
from chaoslit.forecasters.trained import Ensemble
from chaoslit.integrate import trajectory
from chaoslit.protocol import Protocol, make_data

# Small versions, so that the whole sweep takes seconds; the gradient-trained ones train for a few steps only (their
# real training is in tests/test_trained_forecasters.py, marked slow).
TRAINING = dict(steps=20, eval_every=10)
SMALL = {"esn": dict(units=50), "random_features": dict(n_features=50), "hankel_dmd": dict(delays=8, rank=8),
         "edmd": dict(degree=2), "random_forest": dict(n_trees=10), "gradient_boosting": dict(n_trees=10),
         "dlinear": dict(lookback=20, horizon=5), "nlinear": dict(lookback=20, horizon=5),
         "nbeats": dict(lookback=20, horizon=5, blocks=1, width=16, **TRAINING),
         "nhits": dict(lookback=20, horizon=5, width=16, **TRAINING), "tcn": dict(levels=2, channels=8, horizon=5, **TRAINING),
         "neural_ode": dict(width=16, depth=1, collocation=10, **TRAINING),
         "hybrid_ode": dict(width=16, depth=1, collocation=10, physics=systems.get("Lorenz", rho=25.0), dt=systems.get("Lorenz").period / 100,
                            **TRAINING),
         "shplrnn": dict(hidden=16, window=20, **TRAINING), "alrnn": dict(latent=8, n_relu=2, window=20, burn_in=5, forcing_interval=4, **TRAINING),
         "lstm": dict(hidden=8, window=25, **TRAINING), "gru": dict(hidden=8, window=25, **TRAINING),
         "s4d": dict(hidden=8, state=4, window=25, **TRAINING),
         "mamba": dict(hidden=8, state=4, window=40, lag=5, burn_in=12, free_steps=10, geometry=0.1, lbfgs=10, **TRAINING),
         "transformer": dict(width=8, n_heads=2, window=9, **TRAINING)}
# Training on a batch of trajectories is one code path for all gradient-trained models: checked on one (each recompiles).
BATCH_FIT = set(forecasters.names()) - {"neural_ode", "hybrid_ode", "alrnn", "lstm", "gru", "s4d", "mamba", "transformer", "nbeats",
                                            "nhits", "tcn"}


@pytest.fixture(scope="module")
def data():
    return make_data(Protocol(n_train=1500, n_validation=1, n_test=3, context=100, horizon=40))


@pytest.mark.parametrize("name", forecasters.names())
def test_fit_predict_save_load(name, data, tmp_path):
    forecaster = forecasters.get(name, **SMALL.get(name, {}))
    fitted = forecaster.fit(data.train, key=3)
    batch = fitted.predict(data.test.context, 40)
    assert batch.shape == (3, 40, 3) and batch.dtype == np.float64
    assert np.isfinite(batch).all()
    single = fitted.predict(data.test.context[1], 40)
    # A batched and a single compiled program differ in the last bits, and a free run amplifies that: 40 steps of the
    # VAR that ridge="auto" fits here (penalty 1e-10) grow it to 6e-9. A batching bug would differ at order one.
    np.testing.assert_allclose(single, batch[1], rtol=1e-9, atol=1e-7)
    # A batch of trajectories trains too, and the same key gives the same model.
    if name in BATCH_FIT:
        again = forecaster.fit(np.stack([data.train[:700], data.train[700:1400]]), key=3)
        assert np.isfinite(again.predict(data.test.context[:1], 5)).all()
    np.testing.assert_array_equal(forecaster.fit(data.train, key=3).predict(data.test.context, 40), batch)
    path = forecasters.save(tmp_path / f"{name}.eqx", fitted)
    loaded = forecasters.load(path)
    np.testing.assert_array_equal(loaded.predict(data.test.context, 40), batch)
    assert eqx.tree_equal(loaded.forecaster, forecaster) and loaded.sizes() == fitted.sizes()


@pytest.mark.parametrize("name", ["nbeats", "nhits"])
@pytest.mark.parametrize("member_training", ["together", "apart"])
def test_an_ensemble_fits_saves_and_loads(name, member_training, data, tmp_path):
    # members trained side by side or one after another: one forecaster whose network is an Ensemble, forecasting their mean
    forecaster = forecasters.get(name, **SMALL[name], members=2, member_training=member_training)
    fitted = forecaster.fit(data.train, key=3)
    batch = fitted.predict(data.test.context, 40)
    assert batch.shape == (3, 40, 3) and np.isfinite(batch).all()
    members = [fitted.with_network(fitted.network.member(i)).predict(data.test.context, 5) for i in range(2)]
    assert np.abs(members[0] - members[1]).max() > 1e-3  # two different networks, not one twice
    if member_training == "apart":  # each member is the network members=1 trains from the key folded with its index
        alone = forecasters.get(name, **SMALL[name]).fit(data.train, key=jax.random.fold_in(jax.random.key(3), 1))
        np.testing.assert_array_equal(members[1], alone.predict(data.test.context, 5))
        assert (fitted.history["member"] == 1).sum() == len(alone.history["step"]) and set(fitted.history["member"]) == {0, 1}
    loaded = forecasters.load(forecasters.save(tmp_path / f"{name}.eqx", fitted))
    np.testing.assert_array_equal(loaded.predict(data.test.context, 40), batch)
    assert eqx.tree_equal(loaded.forecaster, forecaster)
    # one member alone, and members stacked, save and load as forecasters of their own
    one = forecasters.load(forecasters.save(tmp_path / "one.eqx", fitted.with_network(fitted.network.member(0))))
    assert one.forecaster.members == 1
    np.testing.assert_array_equal(one.predict(data.test.context, 5), members[0])
    stacked = one.with_network(Ensemble.stack([fitted.network.member(i) for i in (0, 1)]))
    np.testing.assert_array_equal(forecasters.load(forecasters.save(tmp_path / "two.eqx", stacked)).predict(data.test.context, 40), batch)
    other = forecasters.get(name, **dict(SMALL[name], lookback=10)).fit(data.train, key=3)
    with pytest.raises(ChaoslitError, match="not this forecaster's"):
        fitted.with_network(other.network)


def test_members_trained_apart_resume_from_their_checkpoints(data, tmp_path):
    # each member its own checkpoint, the path with .member{i} added (a Path works too), and a rerun resumes them
    small = dict(SMALL["nhits"], members=2, member_training="apart", sampling="loss")
    first = forecasters.get("nhits", **small, checkpoint=tmp_path / "run.eqx").training_run(data.train, key=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.eqx.member0", "run.eqx.member1"]
    assert first.result.scores.shape == (2, first.data.starts.shape[0])  # importance sampling's scores, per member
    again = forecasters.get("nhits", **small, checkpoint=str(tmp_path / "run.eqx")).fit(data.train, key=5)
    np.testing.assert_array_equal(again.predict(data.test.context, 20), first.fitted.predict(data.test.context, 20))
    # members=1 trains the same network either way
    one = {how: forecasters.get("nhits", **SMALL["nhits"], member_training=how).fit(data.train, key=5) for how in ("together", "apart")}
    np.testing.assert_array_equal(one["together"].predict(data.test.context, 5), one["apart"].predict(data.test.context, 5))


def test_ridge_regressions_in_pieces_forecast_the_same(data, monkeypatch):
    # DLinear's and NLinear's regressions summed over pieces of 1,000 rows (runs of one coordinate's windows) fit the
    # same forecaster as in one piece. At a fixed penalty: at the tiny ones ridge="auto" picks on a smooth series
    # (1e-9, 1e-10), the Gram matrix is so ill-conditioned that the order of the sums moves the weights (06l says so).
    from chaoslit.forecasters import direct_linear
    settings = {name: dict(SMALL[name], ridge=1e-4) for name in ("dlinear", "nlinear")}
    whole = {name: forecasters.get(name, **kw).fit(data.train).predict(data.test.context, 30) for name, kw in settings.items()}
    monkeypatch.setattr(direct_linear, "PIECE_ROWS", 1000)
    for name, forecast in whole.items():
        np.testing.assert_allclose(forecasters.get(name, **settings[name]).fit(data.train).predict(data.test.context, 30),
                                   forecast, rtol=1e-7, atol=1e-7)


def test_errors_name_what_is_wrong(data, tmp_path, monkeypatch):
    monkeypatch.delenv("CHAOSLIT_MAX_MEMORY_GB", raising=False)
    with pytest.raises(ChaoslitError, match="Unknown forecaster 'ens'"):
        forecasters.get("ens")
    with pytest.raises(ChaoslitError, match="no hyperparameter 'units'"):
        forecasters.get("ngrc", units=3)
    fitted = forecasters.get("var").fit(data.train)
    with pytest.raises(ChaoslitError, match=r"context must be \(n_context, 3\)"):
        fitted.predict(data.test.context[..., :2], 10)
    with pytest.raises(ChaoslitError, match="at least 5"):
        fitted.predict(data.test.context[:, :3], 10)
    with pytest.raises(ChaoslitError, match="n_steps"):
        fitted.predict(data.test.context, 0)
    with pytest.raises(ChaoslitError, match="CHAOSLIT_MAX_MEMORY_GB"):  # refused before anything is allocated
        fitted.predict(data.test.context, 10**9)
    bad = data.train.copy()
    bad[10, 1] = np.nan
    with pytest.raises(ChaoslitError, match="NaN"):
        forecasters.get("esn").fit(bad)
    with pytest.raises(ChaoslitError, match="at least"):
        forecasters.get("esn").fit(data.train[:50])


def test_diverging_forecast_is_reported(data):
    "A model made unstable must raise, or return the divergence when asked."
    fitted = forecasters.get("dmd").fit(data.train)
    import equinox as eqx

    from chaoslit.core import float64_mode

    with float64_mode():
        exploding = eqx.tree_at(lambda m: m.koopman, fitted, fitted.koopman * 1e3)
    with pytest.raises(forecasters.DivergedForecast, match="diverged"):
        exploding.predict(data.test.context, 400)
    kept = exploding.predict(data.test.context, 400, on_divergence="keep")
    assert not np.isfinite(kept).all()


def test_fit_takes_a_legacy_prng_key():
    # jax.random.PRNGKey, the key most JAX code still makes, is accepted beside jax.random.key and integer seeds
    import jax
    y = trajectory(systems.get("Lorenz"), 1500)[1]
    forecaster = forecasters.get("esn", units=50)
    forecasts = [forecaster.fit(y, key=key).predict(y[-100:], 5) for key in (4, jax.random.key(4), jax.random.PRNGKey(4))]
    assert all(np.array_equal(forecasts[0], other) for other in forecasts[1:])


def _tampered(path, tmp_path, edit_header=None, edit_bytes=None):
    "A copy of the model file at `path`, its JSON header or its bytes edited."
    header, _, rest = path.read_bytes().partition(b"\n")
    if edit_header is not None:
        fields = json.loads(header)
        edit_header(fields)
        header = json.dumps(fields).encode()
    data = header + b"\n" + rest
    if edit_bytes is not None:
        data = edit_bytes(data)
    copy = tmp_path / f"tampered{len(list(tmp_path.iterdir()))}.eqx"
    copy.write_bytes(data)
    return copy


def test_load_refuses_every_malformed_file(data, tmp_path):
    "Each broken, edited or foreign file is one ChaoslitError at load, naming what is wrong."
    fitted = forecasters.get("esn", units=30).fit(data.train)
    path = forecasters.save(tmp_path / "esn.eqx", fitted)
    other = forecasters.save(tmp_path / "esn40.eqx", forecasters.get("esn", units=40).fit(data.train))
    cases = {
        "empty": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b""), "first line is not a JSON header"),
        "not a model": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b"not a model"), "not a chaoslit model file"),
        "header cut": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b[:40]), "not a JSON header"),
        "arrays cut": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b[:-100]), "truncated or malformed"),
        "bytes added": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b + b"\0"), "more bytes after"),
        "other format": (lambda: _tampered(path, tmp_path, lambda h: h.update(format="chaoslit-fitted-9")), "format"),
        "unknown forecaster": (lambda: _tampered(path, tmp_path, lambda h: h.update(forecaster="os.system")),
                               "not one of chaoslit's"),
        "unknown hyperparameter": (lambda: _tampered(path, tmp_path, lambda h: h["hyperparameters"].update(size=3)),
                                   "no hyperparameter 'size'"),
        "invalid hyperparameter": (lambda: _tampered(path, tmp_path, lambda h: h["hyperparameters"].update(units=-1)),
                                   "units must be"),
        "hyperparameter edited": (lambda: _tampered(path, tmp_path, lambda h: h["hyperparameters"].update(units=31)),
                                  r"model has \(31, 3\)"),
        "dimension edited": (lambda: _tampered(path, tmp_path, lambda h: h["sizes"].update(dim=4)), "at .scaler.mean the file holds"),
        "size missing": (lambda: _tampered(path, tmp_path, lambda h: h["sizes"].pop("ridge")), "do not describe"),
        "size added": (lambda: _tampered(path, tmp_path, lambda h: h["sizes"].update(depth=2)), "do not describe"),
        "size not a number": (lambda: _tampered(path, tmp_path, lambda h: h["sizes"].update(ridge="big")), "ridge must be a finite number"),
        "field missing": (lambda: _tampered(path, tmp_path, lambda h: h.pop("sizes")), "missing \\['sizes'\\]"),
        "field added": (lambda: _tampered(path, tmp_path, lambda h: h.update(code="print(1)")), "unexpected \\['code'\\]"),
        "arrays of another model": (lambda: _tampered(path, tmp_path, edit_bytes=lambda b: b.partition(b"\n")[0] + b"\n"
                                                      + other.read_bytes().partition(b"\n")[2]), "at .columns the file holds"),
        "first format": (lambda: _npz(tmp_path), "first format"),
        "missing file": (lambda: tmp_path / "absent.eqx", "cannot be read"),
    }
    for case, (make, message) in cases.items():
        print(case)  # pytest shows the case that failed
        with pytest.raises(ChaoslitError, match=message):
            forecasters.load(make())
    np.testing.assert_array_equal(forecasters.load(path).predict(data.test.context, 5), fitted.predict(data.test.context, 5))


def _npz(tmp_path):
    "A file of the first format: an .npz archive."
    old = tmp_path / "old.npz"
    with open(old, "wb") as file:
        np.savez(file, __tree__=np.array("{}"))
    return old


def test_save_refuses_what_load_could_not_rebuild(data, tmp_path):
    fitted = forecasters.get("var").fit(data.train)
    import dataclasses
    with pytest.raises(ChaoslitError, match="no forecaster"):
        forecasters.save(tmp_path / "x.eqx", dataclasses.replace(fitted, forecaster=None))
    with pytest.raises(ChaoslitError, match="expected a fitted model"):
        forecasters.save(tmp_path / "x.eqx", forecasters.get("var"))
    assert not (tmp_path / "x.eqx").exists()


@pytest.mark.parametrize("name", forecasters.names())
def test_every_hyperparameter_has_a_rule_that_refuses(name):
    "Each forecaster's hyperparameters are checked when it is made: a value its rule refuses is a ChaoslitError naming it."
    cls = forecasters.REGISTRY[name]
    hyperparameters = set(cls().hyperparameters)
    rules = {name: rule for name, rule in cls.all_rules().items() if name in hyperparameters}  # not a derived window
    unruled = {"physics", "dt"} if name == "hybrid_ode" else set()  # checked against the data at fit: they need its dimension
    assert hyperparameters - set(rules) == unruled
    for hyperparameter, rule in rules.items():
        refused = [v for v in (True, -1, 0.5, "x", float("nan"), 10**9 + 0.5) if not rule.ok(v)]
        assert refused, f"{name}.{hyperparameter}: its rule allows anything"
        for value in refused:
            with pytest.raises(ChaoslitError, match=f"{name}: {hyperparameter} must be"):
                forecasters.get(name, **{hyperparameter: value})


def test_load_refuses_crafted_headers_and_arrays(data, tmp_path):
    "Headers and arrays built to break a reader: each is a ChaoslitError before anything large is made."
    path = forecasters.save(tmp_path / "forest.eqx", forecasters.get("random_forest", n_trees=3).fit(data.train))
    trained = forecasters.save(tmp_path / "lstm.eqx", forecasters.get("lstm", hidden=4, window=25, steps=2, eval_every=1).fit(data.train))
    header, _, arrays = path.read_bytes().partition(b"\n")

    def raw(text: bytes, rest: bytes = arrays):
        crafted = tmp_path / f"crafted{len(list(tmp_path.iterdir()))}.eqx"
        crafted.write_bytes(text + b"\n" + rest)
        return crafted
    fields = json.loads(header)
    claim = io.BytesIO()  # the header of a .npy array of 10**11 float64 numbers, 800 GB, and no data
    np.lib.format.write_array_header_1_0(claim, {"descr": "<f8", "fortran_order": False, "shape": (10**11,)})
    npy_claiming_huge = claim.getvalue()
    cases = [
        (raw(b"[" * 100_000), "not a JSON header"),
        (raw(b'{"a": ' + b"9" * 5000 + b"}"), "not a JSON header"),
        (_tampered(path, tmp_path, lambda h: h["sizes"].update(depth=2.5)), "depth must be an integer"),
        (_tampered(path, tmp_path, lambda h: h["sizes"].update(depth=10**8)), "less than"),
        (_tampered(path, tmp_path, lambda h: h["sizes"].update(nodes=10**12)), "GB"),
        (_tampered(path, tmp_path, lambda h: h["sizes"].update(dim=10**9)), "GB"),
        (_tampered(path, tmp_path, lambda h: h["sizes"].update(ridge={"a": 1})), "ridge must be a finite number"),
        (_tampered(path, tmp_path, lambda h: h["hyperparameters"].update(n_trees=10**400)), "not 3"),
        (_tampered(trained, tmp_path, lambda h: h["sizes"].update(history=3)), "history must be lengths by name"),
        (_tampered(trained, tmp_path, lambda h: h["sizes"].update(history={"step": 10**12})), "GB"),
        (raw(json.dumps(fields).encode(), npy_claiming_huge), "shape \\(100000000000,\\)"),
    ]
    for crafted, message in cases:
        with pytest.raises(ChaoslitError, match=message):
            forecasters.load(crafted)


def test_a_loaded_hybrid_keeps_its_header_physics(data, tmp_path):
    "The hybrid's known model is in the header and in the arrays; a file where they differ is refused."
    from chaoslit import systems
    hybrid = forecasters.get("hybrid_ode", width=8, depth=1, collocation=0, steps=2, eval_every=1,
                             physics=systems.get("Lorenz", rho=25.0), dt=systems.get("Lorenz").period / 100)
    path = forecasters.save(tmp_path / "hybrid.eqx", hybrid.fit(data.train))
    edited = _tampered(path, tmp_path, lambda h: h["hyperparameters"]["physics"]["parameters"].update(rho=30.0))
    with pytest.raises(ChaoslitError, match="known model's parameters"):
        forecasters.load(edited)


def test_training_settings_are_not_saved(data, tmp_path):
    "Where a model checkpointed, and whether it showed progress, are not part of it: a loaded model has the defaults."
    fitted = forecasters.get("lstm", hidden=4, window=25, steps=2, eval_every=1, checkpoint=str(tmp_path / "run.eqx"),
                             progress=False).fit(data.train)
    loaded = forecasters.load(forecasters.save(tmp_path / "lstm.eqx", fitted))
    assert loaded.forecaster.checkpoint is None and "run.eqx" not in (tmp_path / "lstm.eqx").read_bytes().partition(b"\n")[0].decode()
