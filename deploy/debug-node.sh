#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns top on one node, from a debug pod: kubectl debug node mounts the
# node's root at /host and shares the node's pid namespace; the sysadmin
# profile makes the pod privileged, which ns needs to read every process's
# namespaces and /proc/1/root. ns finds the node's root by itself.
#
#   deploy/debug-node.sh NODE [IMAGE] [ns arguments...]
#   deploy/debug-node.sh worker-1 REGISTRY/ns:0.1.0 ls -N kube-system
set -eu
node=${1:?usage: debug-node.sh NODE [IMAGE] [ns arguments...]}
image=${2:-REGISTRY/ns:0.1.0}
shift
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- top
exec kubectl debug "node/$node" -it --profile=sysadmin --image="$image" -- ns "$@"
