"""The bench's sections, one module each: adding a section is adding a
module here. A section module has

    ORDER        where it runs among the others (ascending)
    NEEDS_STACK  whether it measures a running stack (if no selected section
                 does, the bench starts none)
    run(run)     prints its figures; run is the harness's Run
    a docstring  what it does and which settings (environment) it reads

`BENCH=<name>,<name> make bench` selects sections by module name."""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def all_sections() -> dict[str, ModuleType]:
    """Every section, by name, in the order they run."""
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return {module.__name__.rsplit(".", 1)[1]: module for module in sorted(modules, key=lambda m: m.ORDER)}
