"""Commands: check the rules, write DynamoDB, then publish the event."""
