from . import cost_post_test_report
