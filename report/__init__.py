from . import cost_post_test_report
from . import inventory_gl_reconciliation
from . import stock_inventory_gl_reconciliation_line
from . import inventory_gl_reconciliation_report
from . import stock_inventory_valuation
