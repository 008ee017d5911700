from tests.cases.conftest import center  # noqa: F401  (the center, its posts, staff and enterprise)
