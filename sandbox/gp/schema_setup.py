"""Setup objects of the stand-in's schema subset: payment card types, GL accounts, tax details and
schedules, process holds, sites, U of M schedules, batches (notation: see schema_types.py).

gp.md §22 "Setup rows must exist": a reference to one of these that GP does not hold is refused,
and each is listed by GP's own list operation. GP's Web Services has no checkbook list (the WSDL
has no GetCheckbook*/GetBankAccount* operation), so checkbooks are checked but not listed.
"""
# ruff: noqa: E501 - the schema notation keeps one declaration per line, however long
from __future__ import annotations

SETUP = """
type gp:TaxScheduleKey : gp:ReferenceKey
  Id? xs:string
type gp:PaymentCardTypeCriteria : gp:Criteria
  Id? gp:LikeRestrictionOfString
  CreatedDate? gp:BetweenRestrictionOfNullableOfDateTime
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:PaymentCardType : gp:BusinessObject
  Key? gp:PaymentCardTypeKey
  ReceivableCardType gp:ReceivableCardType
  UsedByCompany xs:boolean
  AcceptedFromCustomers xs:boolean
  CustomerCardBankAccountKey? gp:BankAccountKey
  GLAccountKey? gp:GLAccountNumberKey
  PayableCardType gp:PayableCardType
  CompanyCardBankAccountKey? gp:BankAccountKey
  ModifiedBy? xs:string
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
type gp:ArrayOfPaymentCardType
  PaymentCardType* gp:PaymentCardType
type gp:GLAccountCriteriaBase : gp:Criteria abstract
  CreatedDate? gp:BetweenRestrictionOfNullableOfDateTime
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  IsActive? gp:RestrictionOfNullableOfBoolean
  GLAccountId? gp:LikeRestrictionOfString
  Description? gp:LikeRestrictionOfString
  Alias? gp:LikeRestrictionOfString
type gp:GLAccountCriteria : gp:GLAccountCriteriaBase
type gp:GLAccountSummaryBase abstract
  Key? gp:GLAccountNumberKey
  Alias? xs:string
  IsActive xs:boolean
  Description? xs:string
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
type gp:GLAccountSummary : gp:GLAccountSummaryBase
  AccountType! gp:GLAccountSummaryType
type gp:ArrayOfGLAccountSummary
  GLAccountSummary* gp:GLAccountSummary
type gp:TaxDetailCriteria : gp:Criteria
  TaxDetailKeyId? gp:LikeRestrictionOfString
  TaxIdNumber? gp:LikeRestrictionOfString
  TaxDetailTaxable? gp:RestrictionOfNullableOfBoolean
type gp:TaxDetail : gp:BusinessObject
  TaxDetailKey? gp:TaxDetailKey
  TaxDetailType! gp:TaxDetailType
  TaxDetailDescription? xs:string
  Account? gp:GLAccountNumberKey
  TaxIdNumber? xs:string
  TaxDetailBase gp:TaxDetailBase
  TaxDetailPercent xs:decimal
  TaxDetailAmount? gp:MoneyAmount
  TaxDetailRounding gp:TaxDetailRounding
  TaxDetailRangeType gp:TaxDetailRangeType
  TaxDetailBaseQualifiers gp:TaxDetailBaseQualifers
  IsTaxDetailTaxable xs:boolean
  IsTaxDetailPrintOnDocuments xs:boolean
  TaxDetailPrintCharacter? xs:string
  TaxDetailTaxablePercent xs:decimal
type gp:ArrayOfTaxDetail
  TaxDetail* gp:TaxDetail
type gp:TaxScheduleCriteria : gp:Criteria
  TaxScheduleKeyId? gp:LikeRestrictionOfString
  TaxScheduleDescription? gp:LikeRestrictionOfString
type gp:TaxSchedule : gp:BusinessObject
  TaxScheduleKey? gp:TaxScheduleKey
  TaxScheduleDescription? xs:string
  Notes? xs:string
type gp:ArrayOfTaxSchedule
  TaxSchedule* gp:TaxSchedule
type gp:SalesProcessHoldSetupCriteria : gp:Criteria
  Id? gp:LikeRestrictionOfString
  ModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
  CreatedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:SalesProcessHoldSetup : gp:BusinessObject
  Key? gp:SalesProcessHoldSetupKey
  Description? xs:string
  IsTransferHold xs:boolean
  IsPostHold xs:boolean
  IsFulfillHold xs:boolean
  IsPrintHold xs:boolean
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  CreatedBy? xs:string
type gp:ArrayOfSalesProcessHoldSetup
  SalesProcessHoldSetup* gp:SalesProcessHoldSetup
type gp:WarehouseCriteria : gp:Criteria
  WarehouseId? gp:LikeRestrictionOfString
  Description? gp:LikeRestrictionOfString
type gp:WarehouseSummary
  Key? gp:WarehouseKey
  Description? xs:string
type gp:ArrayOfWarehouseSummary
  WarehouseSummary* gp:WarehouseSummary
type gp:UofMScheduleCriteria : gp:Criteria
  UnitofMeasureScheduleId? gp:LikeRestrictionOfString
  LastModifiedDate? gp:BetweenRestrictionOfNullableOfDateTime
type gp:UofMScheduleSummary
  Key? gp:UofMScheduleKey
  Description? xs:string
  BaseUofM? xs:string
  UofMDecimalPlacesQuantities gp:QuantityDecimalPlaces
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
type gp:ArrayOfUofMScheduleSummary
  UofMScheduleSummary* gp:UofMScheduleSummary
type gp:BatchCriteria : gp:Criteria
  Id? gp:LikeRestrictionOfString
  Source? gp:LikeRestrictionOfString
type gp:Batch : gp:BusinessObject
  Key? gp:BatchKey
  NumberOfTransactions xs:int
  Frequency gp:PostingFrequency
  RecurringLastPostedDate xs:dateTime
  NumberOfPostings xs:int
  Comment? xs:string
  Total? gp:MoneyAmount
  CurrencyKey? gp:CurrencyKey
  ControlNumberOfTransactions xs:int
  ControlTotal? gp:MoneyAmount
  GeneralLedgerPostedDate xs:dateTime
  BankAccountKey? gp:BankAccountKey
  WorkflowPriority gp:WorkflowPriority
type gp:ArrayOfBatch
  Batch* gp:Batch
enum gp:ReceivableCardType = Bank Card | Payment Card
enum gp:PayableCardType = Credit Card | Check Card
enum gp:GLAccountSummaryType = Posting | Unit | Fixed Allocation | Variable Allocation
enum gp:TaxDetailType = Sales | Purchases
enum gp:TaxDetailBase = Tax Included with Item Price | Flat Amount per Unit | Percent of Sales/Purchase | Percent of Cost | Percent of Another Tax Detail | Percent of Sales/Purchase plus Taxable Taxes
enum gp:TaxDetailRounding = Up to the Next Currency Decimal Digit | To the Nearest Currency Decimal Digit | Down to the Previous Currency Decimal Digit | Up to the Next Whole Digit | To the Nearest Whole Digit | Down to the Previous Whole Digit
enum gp:TaxDetailRangeType = Full Amount | Amount within Range
enum gp:TaxDetailBaseQualifers = Not Applicable | Unit Amount | Extended Amount | Invoice Total | Unit Amount Plus Taxable Taxes | Extended Amount Plus Taxable Taxes | Invoice Total Plus Taxable Taxes
enum gp:PostingFrequency = Single Use | Weekly | Biweekly | Semimonthly | Monthly | Bimonthly | Quarterly | Miscellaneous
"""

SETUP_OPERATIONS = """
GetPaymentCardTypeList(criteria? gp:PaymentCardTypeCriteria, context? dyn:Context) -> gp:ArrayOfPaymentCardType
GetPaymentCardTypeByKey(key? gp:PaymentCardTypeKey, context? dyn:Context) -> gp:PaymentCardType
GetGLAccountList(criteria? gp:GLAccountCriteria, context? dyn:Context) -> gp:ArrayOfGLAccountSummary
GetTaxDetailList(criteria? gp:TaxDetailCriteria, context? dyn:Context) -> gp:ArrayOfTaxDetail
GetTaxDetailByKey(key? gp:TaxDetailKey, context? dyn:Context) -> gp:TaxDetail
GetTaxScheduleList(criteria? gp:TaxScheduleCriteria, context? dyn:Context) -> gp:ArrayOfTaxSchedule
GetTaxScheduleByKey(key? gp:TaxScheduleKey, context? dyn:Context) -> gp:TaxSchedule
GetSalesProcessHoldSetupList(criteria? gp:SalesProcessHoldSetupCriteria, context? dyn:Context) -> gp:ArrayOfSalesProcessHoldSetup
GetSalesProcessHoldSetupByKey(key? gp:SalesProcessHoldSetupKey, context? dyn:Context) -> gp:SalesProcessHoldSetup
GetWarehouseList(criteria? gp:WarehouseCriteria, context? dyn:Context) -> gp:ArrayOfWarehouseSummary
GetUofMScheduleList(criteria? gp:UofMScheduleCriteria, context? dyn:Context) -> gp:ArrayOfUofMScheduleSummary
GetBatchList(criteria? gp:BatchCriteria, context? dyn:Context) -> gp:ArrayOfBatch
GetBatchByKey(key? gp:BatchKey, context? dyn:Context) -> gp:Batch
"""
