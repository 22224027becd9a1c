"Chaos invariants: Lyapunov spectra, dimensions, entropies and the diagnostics of chaos."
from .lyapunov import LyapunovSpectrum as LyapunovSpectrum
from .lyapunov import kaplan_yorke_dimension as kaplan_yorke_dimension
from .lyapunov import lyapunov_spectrum as lyapunov_spectrum
from .lyapunov import pesin_entropy as pesin_entropy
