"""RWS Photo Check: vets school photos against the consent register before they are published."""
import warnings

__version__ = "0.1.0"

# face_recognition_models (in the dev group only: the tests' reference) imports pkg_resources, which warns
# that it is deprecated; setuptools is pinned below 81 there, which still has it. Set here so worker
# processes, which import this package first, are quiet too.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
