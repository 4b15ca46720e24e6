"""Server-rendered pages: thin views that find the object through the user's scope, validate a
form, call one service, and show its refusal on the form."""
