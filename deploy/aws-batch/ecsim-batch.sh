#!/bin/sh
# Entrypoint of the AWS Batch image (deploy/Dockerfile, target aws-batch): runs one shard of a
# sweep and copies its partial to S3, or merges the partials found under an S3 prefix.
#
#   ecsim-batch shard SWEEP S3_PREFIX [ecsim sweep flags...]
#       In a child of an array job: runs `ecsim sweep SWEEP --shard N` with N the array size,
#       the shard index being read by ecsim from AWS_BATCH_JOB_ARRAY_INDEX, then copies the
#       partial DIR/shard-I-of-N/ to S3_PREFIX/partials/shard-I-of-N/.
#   ecsim-batch merge S3_PREFIX
#       Copies S3_PREFIX/partials/ down, runs `ecsim merge`, and copies the merged outputs (the
#       files an unsharded sweep writes) to S3_PREFIX/merged/.
#
# AWS Batch sets AWS_BATCH_JOB_ARRAY_INDEX (0-based) and AWS_BATCH_JOB_ARRAY_SIZE in every
# child of an array job (https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html).
# The shard count is taken from the array size, so the two cannot disagree.
#
# Optional: ECSIM_INPUT=s3://bucket/prefix/ is copied to /tmp/ecsim-input first and SWEEP is
# then read relative to it (your own sweep file, its base scenario and traces); without it,
# SWEEP is a path in the image (the shipped scenarios are under /opt/ecsim/scenarios).
#
# A partial is uploaded only after ecsim succeeded (set -e), and `aws s3 sync --delete` makes
# a retried attempt replace, not add to, what an earlier attempt of the same shard left.
set -eu

usage() {
    echo "usage: ecsim-batch shard SWEEP S3_PREFIX [ecsim sweep flags...] | ecsim-batch merge S3_PREFIX" >&2
    exit 2
}

[ "$#" -ge 1 ] || usage
mode=$1
shift

case "$mode" in
shard)
    [ "$#" -ge 2 ] || usage
    sweep=$1
    prefix=${2%/}
    shift 2
    : "${AWS_BATCH_JOB_ARRAY_INDEX:?not a child of an AWS Batch array job (submit with arrayProperties.size)}"
    : "${AWS_BATCH_JOB_ARRAY_SIZE:?not a child of an AWS Batch array job (submit with arrayProperties.size)}"
    n=$AWS_BATCH_JOB_ARRAY_SIZE
    i=$AWS_BATCH_JOB_ARRAY_INDEX
    if [ -n "${ECSIM_INPUT:-}" ]; then
        aws s3 sync --only-show-errors "${ECSIM_INPUT%/}/" /tmp/ecsim-input/
        cd /tmp/ecsim-input
    fi
    out=$(mktemp -d)
    # `--shard N` without an index: ecsim reads I from AWS_BATCH_JOB_ARRAY_INDEX.
    ecsim sweep "$sweep" --out "$out" --shard "$n" --quiet "$@"
    aws s3 sync --only-show-errors --delete "$out/shard-$i-of-$n/" "$prefix/partials/shard-$i-of-$n/"
    ;;
merge)
    [ "$#" -eq 1 ] || usage
    prefix=${1%/}
    work=$(mktemp -d)
    aws s3 sync --only-show-errors "$prefix/partials/" "$work/partials/"
    # ecsim merge refuses partials of another sweep or version and names missing or duplicate
    # shards, so a failed child shows up here rather than as a silently smaller result.
    ecsim merge "$work/partials" --out "$work/merged"
    aws s3 sync --only-show-errors --delete "$work/merged/" "$prefix/merged/"
    ;;
*)
    usage
    ;;
esac
