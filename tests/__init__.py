from . import test_posting_plan
from . import test_value_entries
from . import test_post_inventory_cost
from . import test_parity
from . import test_security
from . import test_concurrency
from . import test_reconciliation
from . import test_cost_adjustment
