/* placeholder: replaced by the extension module */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "mapq.h"
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_mapq", NULL, -1, NULL, NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit__mapq(void) { return PyModule_Create(&def); }
