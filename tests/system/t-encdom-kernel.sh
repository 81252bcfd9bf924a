#!/bin/sh
# t-encdom.sh over Linux's kernel blkback in the driver domain (issue 7,
# "any backend"): format, the guest-disk job, ciphertext only; then the
# enforcement cases (a mislabelled and an unlabelled guest never get the
# volume).  See t-encdom.sh.
# shellcheck disable=SC2034 # read by t-encdom.sh
ENCDOM_OVER=kernel
. ./t-encdom.sh
