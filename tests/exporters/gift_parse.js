// Parse a GIFT file with gift-pegjs and print the questions as JSON.
// usage: node gift_parse.js <node_modules dir> <file.gift>
// Exit 0 with the parse tree on stdout; exit 1 with {"error": ...} when the file does not parse.
"use strict";
const path = require("path");
const fs = require("fs");
const { parse } = require(path.join(process.argv[2], "gift-pegjs"));
const text = fs.readFileSync(process.argv[3], "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text)));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.message, location: err.location || null }));
  process.exit(1);
}
