"""The zone's firms and what is done with them.

Sub-packages, each using only those listed before it (and core, chains):
registry (the firms, their segment memberships and yearly figures), cultivation (designations
and the pipeline toward them), spreadsheets (imports and exports of lists), projects
(investment projects from lead to landing, and the carriers they land in). merge.py, the one
operation that touches every record of a firm, stands above them all.
"""
