from . import stock_inventory_cost_post
from . import stock_valuation_layer_revaluation
from . import stock_inventory_gl_reconciliation
from . import stock_cost_adjust
