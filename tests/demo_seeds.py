"""The area seeds `make run` runs after seed_demo, in its order (scripts/run_dev.py AREA_SEEDS): the tests that walk
the whole demo (every page, every form, every queue) seed the same district. test_demo_shows_the_work checks the two
lists agree, so a new area's seed reaches these tests too."""

SEEDS = (
    "seed_demo_documents",
    "seed_demo_supervision",
    "seed_demo_meetings",
    "seed_demo_coordination",
    "seed_demo_circulation",
)
