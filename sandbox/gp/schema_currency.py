"""Currencies in the stand-in's schema subset (notation: see schema_types.py), as the real WSDL
declares them: GetCurrencyList / GetCurrencyByKey return GP's Currency objects."""
# ruff: noqa: E501 - the schema notation keeps one declaration per line, however long
from __future__ import annotations

CURRENCY = """
type gp:CurrencyCriteria : gp:Criteria
  ISOCode? gp:LikeRestrictionOfString
  Id? gp:LikeRestrictionOfString
  Description? gp:LikeRestrictionOfString
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:Currency : gp:BusinessObject
  Key? gp:CurrencyKey
  Description? xs:string
  Index xs:int
  Id? xs:string
  Symbol? xs:string
  SymbolLocation gp:RelativeLocation
  IncludeSpace xs:boolean
  NegativeSymbol gp:NegativeSymbol
  NegativeSymbolLocation gp:RelativeLocation
  NegativeSymbolCurrencySymbolLocation gp:NegativeSymbolCurrencySymbolLocation
  DecimalSymbol gp:DecimalSymbol
  DecimalPlaces gp:DecimalPlaces
  ThousandsSymbol gp:ThousandsSymbol
  UnitText? xs:string
  UnitSubunitConnectorText? xs:string
  SubunitText? xs:string
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
type gp:ArrayOfCurrency
  Currency* gp:Currency
enum gp:RelativeLocation = Before Amount | After Amount
enum gp:NegativeSymbol = Negative Sign | Parenthesis | Credit | Uppercase Credit | Lowercase Credit
enum gp:NegativeSymbolCurrencySymbolLocation = Before Currency Symbol | After Currency Symbol
enum gp:DecimalSymbol = Space | Period | Comma | Dollar Symbol
enum gp:DecimalPlaces = Zero | One | Two | Three | Four | Five
enum gp:ThousandsSymbol = Space | Period | Comma | Apostrophe
"""

CURRENCY_OPERATIONS = """
GetCurrencyList(criteria? gp:CurrencyCriteria, context? dyn:Context) -> gp:ArrayOfCurrency
GetCurrencyByKey(key? gp:CurrencyKey, context? dyn:Context) -> gp:Currency
"""
