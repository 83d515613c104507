"""Wikitext: the article model, titles, escaping, universes, template schemas, generator-owned
regions and three-way merges, categories, the harvest of facts. Pure."""
