"chaoslit: chaotic systems, their invariants and their forecasters, in JAX."
__version__ = "0.1.0"

from . import core as core
from . import integrate as integrate
from . import invariants as invariants
from . import systems as systems
from .core import ChaoslitError as ChaoslitError
from .core import IntegrationError as IntegrationError
from .core import float64_mode as float64_mode
from .integrate import trajectory as trajectory
