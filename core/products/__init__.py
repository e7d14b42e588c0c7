"""Two-way product sync: names, prices and quantities between WooCommerce and GP.

Modules: fields (values and how they compare), compare (pure three-way decision with owners),
links (WooCommerce SKU <-> GP item, bases, audit), inflight (order quantities GP has not seen yet),
gp_to_woo / woo_to_gp (the writes), conflicts (tasks for the console), intake (webhook hints),
sync (one pass both ways).
"""
