#!/usr/bin/env python3
"""An authz plugin that denies removing containers (DELETE .../containers/<id>) and allows everything else."""
import re

from pluginlib import arguments, field, serve

parser = arguments("Keel test authorization plugin")
parser.add_argument("--deny-message", default="removing containers is not allowed")
args = parser.parse_args()

REMOVE_CONTAINER = re.compile(r"^(/v[0-9.]+)?/containers/[^/?]+(\?.*)?$")


def request(body):
    method = field(body, "RequestMethod", "")
    uri = field(body, "RequestUri", "")
    if method == "DELETE" and REMOVE_CONTAINER.match(uri):
        return 200, {"Allow": False, "Msg": args.deny_message}
    return 200, {"Allow": True}


def response(body):
    return 200, {"Allow": True}


serve(args, ["authz"], {"AuthZPlugin.AuthZReq": request, "AuthZPlugin.AuthZRes": response})
