/**
 * The pieces of {@link dev.berth.contracts.app.AppDefinitionParser}: one {@link
 * dev.berth.contracts.app.parse.FieldReader} that reads typed fields and collects errors by path, and
 * one reader per section of an app definition. They are public only so that the parser, one package
 * up, can call them; other modules parse app definitions through {@code AppDefinitionParser}.
 */
package dev.berth.contracts.app.parse;
