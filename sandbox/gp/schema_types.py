"""The stand-in's schema subset, in a compact notation of our own (rendered to WSDL by schema.py).

Only the types and fields the stand-in serves are listed, but every name, type, namespace, base
type and relative order follows GP's legacy Web Services contract, so a client built from GP's
own WSDL talks to us unchanged. tests/contract/test_gp_wsdl_subset.py proves it field by field.

Notation, one declaration per line:
    type <prefix>:<Name> [: <base>] [abstract]      a complex type; its fields follow, indented
      Field?  T      minOccurs=0                     (a reference type: omitted when null)
      Field   T      minOccurs=1 nillable            (a .NET nullable value: xsi:nil when null)
      Field!  T      minOccurs=1, not nillable       (a .NET value type: always present)
      Field*  T      minOccurs=0 maxOccurs=unbounded nillable (the item of an ArrayOf... type)
    enum <prefix>:<Name> = A | B | C                 a string enumeration
Prefixes: gp (dynamics/gp/2006/01), dyn (dynamics/2006/01), sec (dynamics/security/2006/01),
mst (microsoft.com/wsdl/types), xs (XML Schema).
"""
# ruff: noqa: E501 - the schema notation keeps one declaration per line, however long
from __future__ import annotations

TYPES = """
# ---- dynamics/2006/01: context, company key ---------------------------------------------------
type dyn:Key abstract
type dyn:OrganizationKey : dyn:Key abstract
type dyn:CompanyKey : dyn:OrganizationKey
  Id! xs:int
type dyn:Context
  WorkOnBehalfOf? xs:string
  OrganizationKey? dyn:OrganizationKey
  CultureName? xs:string
  CurrencyType! dyn:CurrencyType
  RoleKey? sec:RoleKey
  TenantName? xs:string
enum dyn:CurrencyType = Transactional | Local
type sec:SecurityKey abstract
type sec:RoleKey : sec:SecurityKey
  Id? xs:string

# ---- keys ---------------------------------------------------------------------------------------
type gp:GreatPlainsKey : dyn:Key abstract
  CompanyKey? dyn:CompanyKey
type gp:ReferenceKey : gp:GreatPlainsKey abstract
type gp:TransactionKey : gp:GreatPlainsKey abstract
type gp:CustomerKey : gp:ReferenceKey
  Id? xs:string
type gp:CustomerClassKey : gp:ReferenceKey
  Id? xs:string
type gp:CustomerAddressKey : gp:ReferenceKey
  CustomerKey? gp:CustomerKey
  Id? xs:string
type gp:ItemKey : gp:ReferenceKey
  Id? xs:string
type gp:ItemClassKey : gp:ReferenceKey
  Id? xs:string
type gp:WarehouseKey : gp:ReferenceKey
  Id? xs:string
type gp:ItemWarehouseKey : gp:ReferenceKey
  ItemKey? gp:ItemKey
  WarehouseKey? gp:WarehouseKey
type gp:PriceLevelKey : gp:ReferenceKey
  Id? xs:string
type gp:CurrencyKey : gp:ReferenceKey
  ISOCode? xs:string
type gp:UofMScheduleKey : gp:ReferenceKey
  Id? xs:string
type gp:PricingKey : gp:ReferenceKey
  ItemKey? gp:ItemKey
  CurrencyKey? gp:CurrencyKey
  PriceLevelKey? gp:PriceLevelKey
  UofM? xs:string
type gp:PricingDetailKey : gp:ReferenceKey
  PricingKey? gp:PricingKey
  ToQuantity? gp:Quantity
type gp:BatchKey : gp:ReferenceKey
  Source? xs:string
  Id? xs:string
  CreatedDateTime! xs:dateTime
type gp:SalesDocumentTypeKey : gp:ReferenceKey
  Type! gp:SalesDocumentType
  Id? xs:string
type gp:GLAccountNumberKey : gp:ReferenceKey
  Id? xs:string
  IsEncrypted! xs:boolean
type gp:DistributionTypeKey : gp:ReferenceKey
  Id! xs:int
type gp:TaxDetailKey : gp:ReferenceKey
  Id? xs:string
type gp:BankAccountKey : gp:ReferenceKey
  Id? xs:string
type gp:PaymentCardTypeKey : gp:ReferenceKey
  Id? xs:string
type gp:SalesProcessHoldSetupKey : gp:ReferenceKey
  Id? xs:string
type gp:SalesDocumentKey : gp:TransactionKey
  Id? xs:string
type gp:SalesLineKey : gp:TransactionKey
  SalesDocumentKey? gp:SalesDocumentKey
  LineSequenceNumber! xs:int
type gp:SalesDistributionKey : gp:TransactionKey
  SalesDocumentKey? gp:SalesDocumentKey
  SequenceNumber! xs:int
type gp:SalesDocumentTaxKey : gp:TransactionKey
  SalesDocumentKey? gp:SalesDocumentKey
  SequenceNumber! xs:int
  TaxDetailKey? gp:TaxDetailKey
type gp:SalesLineTaxKey : gp:TransactionKey
  SalesLineKey? gp:SalesLineKey
  TaxDetailKey? gp:TaxDetailKey
type gp:SalesPaymentKey : gp:TransactionKey
  SalesDocumentKey? gp:SalesDocumentKey
  SequenceNumber! xs:int
type gp:SalesProcessHoldKey : gp:TransactionKey
  SalesDocumentKey? gp:SalesDocumentKey
  SalesProcessHoldSetupKey? gp:SalesProcessHoldSetupKey
type gp:ReceivablesDocumentKey : gp:TransactionKey
  Id? xs:string
type gp:ReceivablesDistributionKey : gp:TransactionKey
  ReceivablesDocumentKey? gp:ReceivablesDocumentKey
  SequenceNumber! xs:int
type gp:InventoryKey : gp:TransactionKey
  Id? xs:string
type gp:InventoryLineKey : gp:TransactionKey
  InventoryKey? gp:InventoryKey
  SequenceNumber! xs:decimal

# ---- amounts ------------------------------------------------------------------------------------
type gp:Amount abstract
type gp:MoneyAmount : gp:Amount
  Currency? xs:string
  Value! xs:decimal
  DecimalDigits! xs:int
type gp:Quantity : gp:Amount
  Value! xs:decimal
  DecimalDigits! xs:int
type gp:Percent
  Value! xs:decimal
  DecimalDigits! xs:int
type gp:MoneyPercentChoice
  Percent? gp:Percent
  Amount? gp:MoneyAmount

# ---- restrictions and criteria -------------------------------------------------------------------
type gp:Restriction abstract
type gp:RestrictionOfString : gp:Restriction
  EqualValue? xs:string
  NotEqualValue? xs:string
type gp:ListRestrictionOfString : gp:RestrictionOfString
  Items? gp:ArrayOfString
type gp:BetweenRestrictionOfString : gp:ListRestrictionOfString
  From? xs:string
  To? xs:string
  GreaterThan? xs:string
  LessThan? xs:string
type gp:LikeRestrictionOfString : gp:BetweenRestrictionOfString
  Like? xs:string
type gp:RestrictionOfNullableOfInt32
  EqualValue xs:int
  NotEqualValue xs:int
type gp:ListRestrictionOfNullableOfInt32 : gp:RestrictionOfNullableOfInt32
  Items? gp:ArrayOfInt
type gp:BetweenRestrictionOfNullableOfInt32 : gp:ListRestrictionOfNullableOfInt32
  From xs:int
  To xs:int
  GreaterThan xs:int
  LessThan xs:int
type gp:RestrictionOfNullableOfDateTime
  EqualValue xs:dateTime
  NotEqualValue xs:dateTime
type gp:ListRestrictionOfNullableOfDateTime : gp:RestrictionOfNullableOfDateTime
  Items? gp:ArrayOfDateTime
type gp:BetweenRestrictionOfNullableOfDateTime : gp:ListRestrictionOfNullableOfDateTime
  From xs:dateTime
  To xs:dateTime
  GreaterThan xs:dateTime
  LessThan xs:dateTime
type gp:RestrictionOfNullableOfBoolean
  EqualValue xs:boolean
  NotEqualValue xs:boolean
type gp:RestrictionOfNullableOfSalesTransactionState
  EqualValue gp:SalesTransactionState
  NotEqualValue gp:SalesTransactionState
type gp:ListRestrictionOfNullableOfSalesTransactionState : gp:RestrictionOfNullableOfSalesTransactionState
  Items? gp:ArrayOfSalesTransactionState
type gp:RestrictionOfNullableOfReceivablesTransactionState
  EqualValue gp:ReceivablesTransactionState
  NotEqualValue gp:ReceivablesTransactionState
type gp:ListRestrictionOfNullableOfReceivablesTransactionState : gp:RestrictionOfNullableOfReceivablesTransactionState
  Items? gp:ArrayOfReceivablesTransactionState
type gp:RestrictionOfNullableOfItemType
  EqualValue gp:ItemType
  NotEqualValue gp:ItemType
type gp:ListRestrictionOfNullableOfItemType : gp:RestrictionOfNullableOfItemType
  Items? gp:ArrayOfItemType
type gp:RestrictionOfNullableOfDataModificationAction
  EqualValue gp:DataModificationAction
  NotEqualValue gp:DataModificationAction
type gp:ArrayOfString
  string* xs:string
type gp:ArrayOfInt
  int* xs:int
type gp:ArrayOfDateTime
  dateTime* xs:dateTime
type gp:ArrayOfSalesTransactionState
  SalesTransactionState* gp:SalesTransactionState
type gp:ArrayOfReceivablesTransactionState
  ReceivablesTransactionState* gp:ReceivablesTransactionState
type gp:ArrayOfItemType
  ItemType* gp:ItemType

type gp:Criteria abstract
type gp:CompanyCriteria : gp:Criteria
  Id? gp:BetweenRestrictionOfNullableOfInt32
  Name? gp:LikeRestrictionOfString
type gp:CustomerCriteria : gp:Criteria
  Id? gp:BetweenRestrictionOfString
  Name? gp:LikeRestrictionOfString
  IsActive? gp:RestrictionOfNullableOfBoolean
  IsOnHold? gp:RestrictionOfNullableOfBoolean
  ClassId? gp:LikeRestrictionOfString
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  Scope! gp:CustomerScope
type gp:CustomerAddressCriteria : gp:Criteria
  Scope! gp:CustomerScope
  CustomerAddressKeyId? gp:LikeRestrictionOfString
  CustomerKeyId? gp:LikeRestrictionOfString
type gp:ItemCriteriaBase : gp:Criteria abstract
  ItemId? gp:LikeRestrictionOfString
  Description? gp:LikeRestrictionOfString
  ItemClassId? gp:LikeRestrictionOfString
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:ItemCriteria : gp:ItemCriteriaBase
  IsDiscontinued? gp:RestrictionOfNullableOfBoolean
type gp:ItemWarehouseCriteria : gp:Criteria
  ItemId? gp:LikeRestrictionOfString
  WarehouseId? gp:LikeRestrictionOfString
type gp:PricingCriteria : gp:Criteria
  ItemId? gp:LikeRestrictionOfString
  CurrencyISOCode? gp:LikeRestrictionOfString
  PriceLevelId? gp:LikeRestrictionOfString
  UofM? gp:LikeRestrictionOfString
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:PriceLevelCriteria : gp:Criteria
  PriceLevelKeyId? gp:BetweenRestrictionOfString
type gp:SalesDocumentCriteriaBase : gp:Criteria abstract
  TransactionState? gp:ListRestrictionOfNullableOfSalesTransactionState
  DocumentId? gp:LikeRestrictionOfString
  Date? gp:BetweenRestrictionOfNullableOfDateTime
  CustomerId? gp:LikeRestrictionOfString
  CustomerPONumber? gp:LikeRestrictionOfString
  BatchId? gp:LikeRestrictionOfString
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  Scope! gp:SalesDocumentScope
type gp:SalesInvoiceCriteria : gp:SalesDocumentCriteriaBase
type gp:SalesReturnCriteria : gp:SalesDocumentCriteriaBase
type gp:ReceivablesDocumentCriteriaBase : gp:Criteria abstract
  TransactionState? gp:ListRestrictionOfNullableOfReceivablesTransactionState
  DocumentId? gp:LikeRestrictionOfString
  Date? gp:BetweenRestrictionOfNullableOfDateTime
  CustomerId? gp:LikeRestrictionOfString
  BatchId? gp:LikeRestrictionOfString
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  Scope! gp:ReceivablesDocumentScope
type gp:ReceivablesCreditMemoCriteria : gp:ReceivablesDocumentCriteriaBase
type gp:BaseChangedKeyCriteria : gp:Criteria
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  Action? gp:RestrictionOfNullableOfDataModificationAction
type gp:CustomerChangedKeyCriteria : gp:BaseChangedKeyCriteria
  Id? gp:BetweenRestrictionOfString
type gp:ItemChangedKeyCriteria : gp:BaseChangedKeyCriteria
  ItemType? gp:ListRestrictionOfNullableOfItemType
  ItemKeyId? gp:BetweenRestrictionOfString
type gp:PricingChangedKeyCriteria : gp:BaseChangedKeyCriteria
  ItemKeyId? gp:BetweenRestrictionOfString
  CurrencyKeyId? gp:BetweenRestrictionOfString
  PriceLevelKeyId? gp:BetweenRestrictionOfString
  UofMKeyId? gp:BetweenRestrictionOfString
type gp:BaseChangedSalesDocumentKeyCriteria : gp:BaseChangedKeyCriteria
  SalesDocumentKeyId? gp:BetweenRestrictionOfString
type gp:SalesInvoiceChangedKeyCriteria : gp:BaseChangedSalesDocumentKeyCriteria

# ---- company, policy, validation ------------------------------------------------------------------
type gp:BusinessObject abstract
type gp:Company : gp:BusinessObject
  Key? dyn:CompanyKey
  Name? xs:string
  ModifiedDate xs:dateTime
  CreatedDate xs:dateTime
  WitholdingTaxRate xs:int
  AccountSegmentSeparator? xs:string
  IsValueAddedTaxReturnEnabled xs:boolean
  Options gp:CompanyOptions
  IsWorkflowEnabled xs:boolean
type gp:ArrayOfCompany
  Company* gp:Company
type gp:PolicyKey : dyn:Key
  Id! mst:guid
type gp:BehaviorKey : dyn:Key
  PolicyKey? gp:PolicyKey
  Id! mst:guid
type gp:BehaviorOptionKey : dyn:Key
  BehaviorKey? gp:BehaviorKey
  Id! xs:int
type gp:ParameterKey : dyn:Key
  BehaviorOptionKey? gp:BehaviorOptionKey
  Id! xs:int
type gp:Parameter
  Key? gp:ParameterKey
  Name? xs:string
  Value? xs:string
  Description? xs:string
type gp:ArrayOfParameter
  Parameter* gp:Parameter
type gp:BehaviorOption
  Key? gp:BehaviorOptionKey
  Name? xs:string
  Description? xs:string
  Parameters? gp:ArrayOfParameter
type gp:ArrayOfBehaviorOption
  BehaviorOption* gp:BehaviorOption
type gp:Behavior
  Key? gp:BehaviorKey
  Name? xs:string
  Description? xs:string
  Internal xs:boolean
  Options? gp:ArrayOfBehaviorOption
  SelectedOption? gp:BehaviorOption
type gp:ArrayOfBehavior
  Behavior* gp:Behavior
type gp:Policy
  Key? gp:PolicyKey
  Behaviors? gp:ArrayOfBehavior
  Name? xs:string
  RootBusinessObjectName? xs:string
type gp:ValidationItem abstract
  ObjectType? xs:string
  PropertyNames? gp:ArrayOfString
  Message? xs:string
  Id? xs:string
type gp:ValidationError : gp:ValidationItem
type gp:ValidationWarning : gp:ValidationItem
type gp:ArrayOfValidationError
  ValidationError* gp:ValidationError
type gp:ArrayOfValidationWarning
  ValidationWarning* gp:ValidationWarning
type gp:ValidationResult
  Errors? gp:ArrayOfValidationError
  Warnings? gp:ArrayOfValidationWarning

# ---- enumerations --------------------------------------------------------------------------------
enum gp:SalesDocumentType = Quote | Order | Invoice | Return | Backorder | Fulfillment Order
enum gp:SalesTransactionState = Work | History
enum gp:ReceivablesDocumentType = Balance Brought Forward | Invoice | Scheduled Payment | Debit Memo | Finance Charge | Service Repair | Warranty | Credit Memo | Return | Cash Receipt
enum gp:ReceivablesTransactionState = Work | Open | History
enum gp:InventoryTransactionState = Work | History
enum gp:CustomerScope = Return All | Return Based on Customer Id | Return Based on Salesperson Id
enum gp:SalesDocumentScope = Return All | Return Based on Customer Id | Return Based on Salesperson Id
enum gp:ReceivablesDocumentScope = Return All | Return Based on Customer Id | Return Based on Salesperson Id
enum gp:DataModificationAction = Created | Updated | Deleted
enum gp:ItemType = Sales Item | Kit | Miscellaneous Charges | Service | Flat Fee
enum gp:SalesTaxBasis = Single Tax Schedule | Taxable | Nontaxable | Based On Customer
enum gp:PriceMethod = Currency Amount | Percent Of List Price | Percent Markup Of Current Cost | Percent Markup Of Standard Cost | Percent Margin Of Current Cost | Percent Margin Of Standard Cost
enum gp:UofMSalesAvailable = Unit Of Measure Not Available For Sales Purposes | Unit Of Measure Must Be Sold In Whole Quantities | Unit Of Measure Must Be Sold In Whole And Fractional Quantities
enum gp:ReceivablesPostResultsTo = Receivables/Discount Account | Sales Offset Account
enum gp:BalanceType = Open Item | Balance Forward
enum gp:SalesPaymentType = Cash Deposit | Check Deposit | Payment Card Deposit | Cash Payment | Check Payment | Payment Card Payment
enum gp:ABCCode = None | A | B | C
enum gp:CommissionBasedOn = Sales | Document Total
enum gp:CompanyOptions = UseShippingMethodWhenSelectingDefaultTaxSchedule | CalculateTermsDiscountBeforeTaxes | EnableIntrastatTracking | SeparatePaymentDistributions | MergeTradeDiscountAndMarkdownDistributionsInSales | MergeTradeDiscountDistributionsInPurchasing | CalculateTaxRebates | EnablePostingNumbersInGeneralLedger | AllowNegativeDebitsAndCreditsInGeneralLedger | EnableGstForAustraliaAndNewZealand | EnableTaxDate | EnableShippingDocumentInSalesOrderProcessing | EnableReversingChargeTaxes | CalculateTaxesInGeneralLedger | AllowSummaryLevelTaxEdits | RequireTaxDetailTotalsToMatchThePretaxAmount | SpecifyTaxDetailsForAutomaticTaxCalculation | EnableVatReturn | EnableEuropeanUnionTransactionTracking | EnableEuropeanElectronicFundsTransfer | EnablePayablesElectronicFundsTransfer | EnableCanadianTaxDetail
enum gp:CurrencyDecimalPlaces = Zero | One | Two | Three | Four | Five
enum gp:OrderFullfillmentShortage = None | Backorder Remaining | Cancel Remaining
enum gp:PurchasingTaxBasis = Taxable | Nontaxable | Based On Vendor
enum gp:QuantityDecimalPlaces = Zero | One | Two | Three | Four | Five
enum gp:ReceivablesCashAccountType = Bank Account | Customer
enum gp:StatementCycle = No Statement | Weekly | Bi-Weekly | Semi-Monthly | Monthly | Bi-Monthly | Quarterly
enum gp:TrackingOption = None | Serial Numbers | Lot Numbers
enum gp:ValuationMethod = FIFO Perpetual | LIFO Perpetual | Average Perpetual | FIFO Periodic | LIFO Periodic
enum gp:WorkflowPriority = Low | Normal | High
"""
