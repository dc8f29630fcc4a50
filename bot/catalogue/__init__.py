"""The shop's catalogue as plain data: product types, brands, attributes and size charts.

Read without a database by the NLU (jieba dictionary, product entities), by the services and by
the demo seed, which turns it into rows.
"""
