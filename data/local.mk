# data: the demo province and tables installed with the program.
EXTRA_DIST += data/local.mk data/demo/agencies.csv data/demo/certificates.csv
EXTRA_DIST += data/demo/plan.csv docs/plan.md
