"""Training-data importer that never reads the frozen held-out split.

The held-out split lives in data/test/ (where maintainers expect it), but `rasa train` and
`rasa data validate` read every file under data/ by default. Training on it would make the
evaluation meaningless, so this importer (configured in config.yml) drops any file inside a
`test` folder of the data directories; evaluation loads the split explicitly.
"""

from __future__ import annotations

from pathlib import Path

from rasa.shared.importers.rasa import RasaFileImporter

HELD_OUT_DIR = "test"


def is_held_out(path: str) -> bool:
    return HELD_OUT_DIR in Path(path).parts[:-1]


class TrainingDataOnlyImporter(RasaFileImporter):
    def __init__(
        self,
        config_file: str | None = None,
        domain_path: str | None = None,
        training_data_paths: str | list[str] | None = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        # Rasa sets these in an untyped __init__, so mypy cannot infer them.
        nlu_files: list[str] = self._nlu_files  # type: ignore[has-type]
        story_files: list[str] = self._story_files  # type: ignore[has-type]
        self._nlu_files = [f for f in nlu_files if not is_held_out(f)]
        self._story_files = [f for f in story_files if not is_held_out(f)]
