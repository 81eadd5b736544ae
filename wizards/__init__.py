from . import stock_inventory_cost_post
from . import stock_valuation_layer_revaluation
