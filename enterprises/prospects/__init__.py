"""The library of target firms outside the zone (招商目标库) for 按图招商.

Owns the target firms (models, service), their import from the lists promotion teams collect
(imports) and the segments each is suggested for (matching, over chains.matching). It may use
chains, core, enterprises.registry (names, credit codes), enterprises.spreadsheets (reading
sheets) and enterprises.projects (a target becomes a project).
"""
