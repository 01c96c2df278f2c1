from ._mapq import *  # placeholder
