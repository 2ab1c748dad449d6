"""A pytest plugin that blocks ale-py's emulator, to check the `ale` marker: every test that needs
the emulator carries it, so `pytest -m "not ale"` runs without one.

    PYTHONPATH=tests pytest -p no_emulator -m "not ale"

Looking a game up (gymnasium's registry, an env id's settings) still works; making an emulator
(ALEInterface, the vector env, gymnasium.make) raises. Tests run in subprocesses are not covered.
"""


def pytest_configure(config):
    import ale_py
    import ale_py.vector_env
    import gymnasium

    class NoEmulator:
        setLoggerMode = staticmethod(lambda *a: None)

        def __init__(self, *a, **k):
            raise RuntimeError("this test uses ale-py's emulator: mark it @pytest.mark.ale")

    def no_make(*a, **k):
        raise RuntimeError("this test makes a gymnasium env: mark it @pytest.mark.ale")

    ale_py.ALEInterface = NoEmulator
    ale_py.vector_env.AtariVectorEnv = NoEmulator
    gymnasium.make = no_make
