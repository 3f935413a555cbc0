"""`make bench`: how fast the API is, section by section.

    make bench                                    # starts its own local stack on free ports
    BASE_URL=http://127.0.0.1:8000 make bench     # against a stack that is already running
    BENCH=keepalive,feed make bench               # only some of the sections

With no BASE_URL it starts `python -m infra.local` (embedded moto) on free
ports, with BCRYPT_ROUNDS=4 and rate limits raised far out of the way, and
stops it with SIGINT at the end; only if a selected section needs a stack.
With BASE_URL the running stack's own limits apply: give it
WRITES_PER_USER, LOGIN_ATTEMPTS_PER_ADDRESS and LOGIN_ATTEMPTS_PER_ACCOUNT
of 100000 or so (and BCRYPT_ROUNDS=4), or the seeding and the throughput
run are answered 429 (counted as errors). Every run makes new users under
a random prefix, so runs never collide.

The sections are the modules of bench/sections/, each saying in its
docstring what it measures; bench/harness.py is what they share (the
stack, its log, seeding), bench/numbers.py how they sum up.

Latencies are measured by the client, from sending a request to having read
the whole response. Reads are timed once the consumers are idle, seen
through the stack's AWS endpoint (its own, or AWS_ENDPOINT_URL with
BASE_URL). When its own stack fails, the run also prints the stack's errors
and dead-letter reports from its log.
"""
