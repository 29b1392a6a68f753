// Messages whose shape is open (settings, `initializationOptions`, command arguments) are `JSONValue`s, the
// package's one JSON type (the JSON target); re-exported so the server and its clients need no extra import.
@_exported import JSON
