"""Business objects of the stand-in's schema subset (notation: see schema_types.py)."""
# ruff: noqa: E501 - the schema notation keeps one declaration per line, however long
from __future__ import annotations

OBJECTS = """
# ---- addresses and customers ---------------------------------------------------------------------
type gp:PhoneNumber
  Value? xs:string
  CountryCode? xs:string
  Extension? xs:string
type gp:InternetAddresses
  EmailToAddress? xs:string
  EmailCcAddress? xs:string
  EmailBccAddress? xs:string
type gp:AddressBase : gp:BusinessObject abstract
  Line1? xs:string
  Line2? xs:string
  Line3? xs:string
  City? xs:string
  State? xs:string
  PostalCode? xs:string
type gp:Address : gp:AddressBase
  CountryRegion? xs:string
  Phone1? gp:PhoneNumber
  Phone2? gp:PhoneNumber
  Phone3? gp:PhoneNumber
  Fax? gp:PhoneNumber
type gp:InternationalAddress : gp:Address
type gp:BusinessAddress : gp:InternationalAddress
  Name? xs:string
  ContactPerson? xs:string
type gp:ConstituentAddress : gp:BusinessAddress
  CreatedDate! xs:dateTime
  ModifiedDate! xs:dateTime
  LastModifiedDate xs:dateTime
  InternetAddresses? gp:InternetAddresses
type gp:CustomerAddress : gp:ConstituentAddress
  Key? gp:CustomerAddressKey
  WarehouseKey? gp:WarehouseKey
  DeleteOnUpdate xs:boolean
type gp:ArrayOfCustomerAddress
  CustomerAddress* gp:CustomerAddress
type gp:CustomerAddressSummary : gp:BusinessAddress
  Key? gp:CustomerAddressKey
  WarehouseKey? gp:WarehouseKey
type gp:ArrayOfCustomerAddressSummary
  CustomerAddressSummary* gp:CustomerAddressSummary
type gp:Customer : gp:BusinessObject
  Key? gp:CustomerKey
  IsOnHold xs:boolean
  IsActive xs:boolean
  ShipCompleteOnly xs:boolean
  Name? xs:string
  Shortname? xs:string
  StatementName? xs:string
  ClassKey? gp:CustomerClassKey
  Priority xs:int
  DefaultAddressKey? gp:CustomerAddressKey
  ShipToAddressKey? gp:CustomerAddressKey
  BillToAddressKey? gp:CustomerAddressKey
  StatementToAddressKey? gp:CustomerAddressKey
  Comment1? xs:string
  Comment2? xs:string
  DiscountGracePeriod xs:int
  DueDateGracePeriod xs:int
  PriceLevelKey? gp:PriceLevelKey
  Notes? xs:string
  BalanceType gp:BalanceType
  AllowRevaluation xs:boolean
  PostResultsTo! gp:ReceivablesPostResultsTo
  OrderFullfillmentShortageDefault gp:OrderFullfillmentShortage
  IncludeInDemandPlanning xs:boolean
  CurrencyKey? gp:CurrencyKey
  StatementCycle gp:StatementCycle
  SendEmailStatements xs:boolean
  DefaultCashAccountType gp:ReceivablesCashAccountType
  CreatedDate! xs:dateTime
  ModifiedDate! xs:dateTime
  LastModifiedDate! xs:dateTime
  UserDefined1? xs:string
  UserDefined2? xs:string
  Addresses? gp:ArrayOfCustomerAddress
type gp:CustomerSummary
  Key? gp:CustomerKey
  Name? xs:string
  IsActive! xs:boolean
  IsOnHold! xs:boolean
  CustomerClassKey? gp:CustomerClassKey
  State? xs:string
  CreatedDate! xs:dateTime
  ModifiedDate! xs:dateTime
  LastModifiedDate! xs:dateTime
type gp:ArrayOfCustomerSummary
  CustomerSummary* gp:CustomerSummary
type gp:ChangedBusinessObjectKey : dyn:Key abstract
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
  Action gp:DataModificationAction
type gp:ChangedBusinessObjectGreatPlainsKey : gp:ChangedBusinessObjectKey abstract
  CompanyKey? dyn:CompanyKey
type gp:ChangedCustomerKey : gp:ChangedBusinessObjectGreatPlainsKey
  Id? xs:string
type gp:ArrayOfChangedCustomerKey
  ChangedCustomerKey* gp:ChangedCustomerKey
type gp:ChangedItemKey : gp:ChangedBusinessObjectGreatPlainsKey
  Id? xs:string
  ItemType gp:ItemType
type gp:ArrayOfChangedItemKey
  ChangedItemKey* gp:ChangedItemKey
type gp:ChangedPricingKey : gp:ChangedBusinessObjectGreatPlainsKey
  ItemKey? gp:ItemKey
  CurrencyKey? gp:CurrencyKey
  PriceLevelKey? gp:PriceLevelKey
  UofM? xs:string
type gp:ArrayOfChangedPricingKey
  ChangedPricingKey* gp:ChangedPricingKey
type gp:BaseChangedSalesDocument : gp:ChangedBusinessObjectGreatPlainsKey
  SalesDocumentTypeKey? gp:SalesDocumentTypeKey
type gp:ChangedSalesInvoiceKey : gp:BaseChangedSalesDocument
type gp:ArrayOfChangedSalesInvoiceKey
  ChangedSalesInvoiceKey* gp:ChangedSalesInvoiceKey

# ---- items, stock, prices ------------------------------------------------------------------------
type gp:Item : gp:BusinessObject abstract
  Key? gp:ItemKey
  Description? xs:string
  ShortDescription? xs:string
  GenericDescription? xs:string
  ClassKey? gp:ItemClassKey
  Type gp:ItemType
  SalesTaxBasis gp:SalesTaxBasis
  UofMScheduleKey? gp:UofMScheduleKey
  ShippingWeight xs:decimal
  QuantityDecimalPlaces gp:QuantityDecimalPlaces
  CurrencyDecimalPlaces gp:CurrencyDecimalPlaces
  PurchaseTaxBasis gp:PurchasingTaxBasis
  StandardCost? gp:MoneyAmount
  CurrentCost? gp:MoneyAmount
  IncludeInDemandPlanning xs:boolean
  AllowBackOrder xs:boolean
  WarrantyDays xs:short
  ABCCode gp:ABCCode
  KeepCalendarYearHistory xs:boolean
  KeepFiscalYearHistory xs:boolean
  KeepTransactionHistory xs:boolean
  KeepDistributionHistory xs:boolean
  DefaultWarehouseKey? gp:WarehouseKey
  PriceMethod gp:PriceMethod
  FunctionalCurrencyDecimalPlaces gp:CurrencyDecimalPlaces
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  CreatedDate xs:dateTime
  IsDiscontinued xs:boolean
  DefaultPriceLevelKey? gp:PriceLevelKey
  DefaultSellingUofM? xs:string
type gp:InventoriedItem : gp:Item abstract
type gp:SalesItem : gp:InventoriedItem
  ValuationMethod gp:ValuationMethod
  TrackingOption gp:TrackingOption
  MinimumShelfLifeDays1 xs:short
  MinimumShelfLifeDays2 xs:short
  RevalueInventory xs:boolean
  Quantities? gp:ArrayOfSalesItemWarehouse
type gp:SalesItemWarehouse : gp:BusinessObject
  Key? gp:ItemWarehouseKey
  InUseQuantity? gp:Quantity
  InServiceQuantity? gp:Quantity
  ReturnedQuantity? gp:Quantity
  DamagedQuantity? gp:Quantity
  OnHandQuantity? gp:Quantity
  AllocatedQuantity? gp:Quantity
  OnOrderQuantity? gp:Quantity
  BackOrderedQuantity? gp:Quantity
type gp:ArrayOfSalesItemWarehouse
  SalesItemWarehouse* gp:SalesItemWarehouse
type gp:ItemSummaryBase abstract
  Key? gp:ItemKey
  Description? xs:string
  ShortDescription? xs:string
  GenericDescription? xs:string
  ClassKey? gp:ItemClassKey
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
type gp:ItemSummary : gp:ItemSummaryBase
  Type! gp:ItemType
  IsDiscontinued! xs:boolean
type gp:ArrayOfItemSummary
  ItemSummary* gp:ItemSummary
type gp:ItemWarehouse : gp:BusinessObject
  Key? gp:ItemWarehouseKey
  Bin? xs:string
type gp:ItemWarehouseSummary
  Key? gp:ItemWarehouseKey
type gp:ArrayOfItemWarehouseSummary
  ItemWarehouseSummary* gp:ItemWarehouseSummary
type gp:PricingDetailPrice
  Amount? gp:MoneyAmount
  Percent? gp:Percent
type gp:PricingDetail : gp:BusinessObject
  Key? gp:PricingDetailKey
  UofMPrice? gp:PricingDetailPrice
  LastModifiedDate xs:dateTime
type gp:ArrayOfPricingDetail
  PricingDetail* gp:PricingDetail
type gp:Pricing : gp:BusinessObject
  Key? gp:PricingKey
  UofMSalesOption gp:UofMSalesAvailable
  Details? gp:ArrayOfPricingDetail
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
type gp:PricingSummary
  Key? gp:PricingKey
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
type gp:ArrayOfPricingSummary
  PricingSummary* gp:PricingSummary
type gp:PriceLevel : gp:BusinessObject
  Key? gp:PriceLevelKey
  Description? xs:string
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  LastModifiedBy? xs:string
type gp:ArrayOfPriceLevel
  PriceLevel* gp:PriceLevel
type gp:InventoryBase : gp:BusinessObject abstract
  Key? gp:InventoryKey
  BatchKey? gp:BatchKey
  Date xs:dateTime
  ModifiedDate xs:dateTime
  CreatedDate xs:dateTime
  GLPostingDate xs:dateTime
  TransactionState gp:InventoryTransactionState
type gp:InventoryAdjustment : gp:InventoryBase
  Lines? gp:ArrayOfInventoryAdjustmentLine
type gp:InventoryLineBase : gp:BusinessObject abstract
  Key? gp:InventoryLineKey
  ItemKey? gp:ItemKey
  Quantity? gp:Quantity
  UnitCost? gp:MoneyAmount
type gp:InventoryLine : gp:InventoryLineBase abstract
  UofM? xs:string
  WarehouseKey? gp:WarehouseKey
type gp:InventoryAdjustmentLine : gp:InventoryLine
type gp:ArrayOfInventoryAdjustmentLine
  InventoryAdjustmentLine* gp:InventoryAdjustmentLine

# ---- SOP documents --------------------------------------------------------------------------------
type gp:Distribution : gp:BusinessObject abstract
  DistributionTypeKey? gp:DistributionTypeKey
  Reference? xs:string
  GLAccountKey? gp:GLAccountNumberKey
  DebitAmount? gp:Amount
  CreditAmount? gp:Amount
type gp:SalesDistribution : gp:Distribution
  Key? gp:SalesDistributionKey
  IsPosted xs:boolean
type gp:ArrayOfSalesDistribution
  SalesDistribution* gp:SalesDistribution
type gp:Tax : gp:BusinessObject abstract
  TaxAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  TaxableAmount? gp:MoneyAmount
  IsBackoutTax xs:boolean
type gp:SalesTax : gp:Tax abstract
  GLAccountKey? gp:GLAccountNumberKey
  IsTaxableTax xs:boolean
type gp:SalesDocumentTax : gp:SalesTax
  Key? gp:SalesDocumentTaxKey
type gp:ArrayOfSalesDocumentTax
  SalesDocumentTax* gp:SalesDocumentTax
type gp:SalesPayment : gp:BusinessObject
  Key? gp:SalesPaymentKey
  IsProcessElectronically xs:boolean
  Date xs:dateTime
  PaymentAmount? gp:MoneyAmount
  BankAccountKey? gp:BankAccountKey
  PaymentCardTypeKey? gp:PaymentCardTypeKey
  CheckNumber? xs:string
  AuthorizationCode? xs:string
  ExpirationDate xs:dateTime
  Type gp:SalesPaymentType
  Number? xs:string
  DeleteOnUpdate xs:boolean
type gp:ArrayOfSalesPayment
  SalesPayment* gp:SalesPayment
type gp:SalesProcessHold : gp:BusinessObject
  Key? gp:SalesProcessHoldKey
  IsTransferHold xs:boolean
  IsPostHold xs:boolean
  IsFulfillHold xs:boolean
  IsPrintHold xs:boolean
  HoldDateTime xs:dateTime
  DeleteOnUpdate xs:boolean
  IsDeleted xs:boolean
type gp:ArrayOfSalesProcessHold
  SalesProcessHold* gp:SalesProcessHold
type gp:SalesReturnQuantities
  OnHandQuantity? gp:Quantity
  ReturnedQuantity? gp:Quantity
  InUseQuantity? gp:Quantity
  InServiceQuantity? gp:Quantity
  DamagedQuantity? gp:Quantity
type gp:SalesDocument : gp:BusinessObject abstract
  Key? gp:SalesDocumentKey
  Type gp:SalesDocumentType
  Date xs:dateTime
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  TradeDiscount? gp:MoneyPercentChoice
  DiscountAmount? gp:MoneyAmount
  CustomerName? xs:string
  CustomerPONumber? xs:string
  MasterNumber xs:int
  Reference? xs:string
  ExchangeRate xs:decimal
  ExchangeDate xs:dateTime
  RequestedShipDate xs:dateTime
  Comment? xs:string
  FreightTaxBasis gp:SalesTaxBasis
  MiscellaneousTaxBasis gp:SalesTaxBasis
  Note? xs:string
  TransactionState gp:SalesTransactionState
  LineTotalAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  CreatedBy? xs:string
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  CommissionBasedOn gp:CommissionBasedOn
  ActualShipDate xs:dateTime
  FulfillDate xs:dateTime
  QuoteDate xs:dateTime
  AuditTrailCode? xs:string
  IsIntrastatDocument xs:boolean
  IsVoided xs:boolean
  ShipCompleteOnly xs:boolean
  IntegrationSource xs:int
  IntegrationId? xs:string
  InvoiceDate xs:dateTime
  BackorderDate xs:dateTime
  ReturnDate xs:dateTime
  OriginalSalesDocumentKey? gp:SalesDocumentKey
  DocumentTypeKey? gp:SalesDocumentTypeKey
  WarehouseKey? gp:WarehouseKey
  CustomerKey? gp:CustomerKey
  BatchKey? gp:BatchKey
  BillToAddressKey? gp:CustomerAddressKey
  ShipToAddressKey? gp:CustomerAddressKey
  CurrencyKey? gp:CurrencyKey
  PriceLevelKey? gp:PriceLevelKey
  ShipToAddress? gp:BusinessAddress
  ProcessHolds? gp:ArrayOfSalesProcessHold
  Taxes? gp:ArrayOfSalesDocumentTax
type gp:SalesLine : gp:BusinessObject abstract
  Key? gp:SalesLineKey
  UnitPrice? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  Quantity? gp:Quantity
  Discount? gp:MoneyPercentChoice
  ItemDescription? xs:string
  IsNonInventory xs:boolean
  IsDropShip xs:boolean
  RequestedShipDate xs:dateTime
  Comment? xs:string
  UofM? xs:string
  DeleteOnUpdate xs:boolean
  TaxBasis gp:SalesTaxBasis
  TaxAmount? gp:MoneyAmount
  SalesGLAccountKey? gp:GLAccountNumberKey
  IntegrationSource xs:int
  WarehouseKey? gp:WarehouseKey
  ItemKey? gp:ItemKey
  PriceLevelKey? gp:PriceLevelKey
type gp:SalesInvoice : gp:SalesDocument
  PaymentAmount? gp:MoneyAmount
  DepositAmount? gp:MoneyAmount
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  PostedBy? xs:string
  IsDirectDebit xs:boolean
  WorkflowPriority gp:WorkflowPriority
  Lines? gp:ArrayOfSalesInvoiceLine
  Payments? gp:ArrayOfSalesPayment
  Distributions? gp:ArrayOfSalesDistribution
type gp:SalesInvoiceLine : gp:SalesLine
  ActualShipDate xs:dateTime
  QuantityAllocated? gp:Quantity
  FulfillDate xs:dateTime
type gp:ArrayOfSalesInvoiceLine
  SalesInvoiceLine* gp:SalesInvoiceLine
type gp:SalesReturn : gp:SalesDocument
  PaymentAmount? gp:MoneyAmount
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  PostedBy? xs:string
  Lines? gp:ArrayOfSalesReturnLine
  Distributions? gp:ArrayOfSalesDistribution
type gp:SalesReturnLine : gp:SalesLine
  ReturnQuantity? gp:SalesReturnQuantities
type gp:ArrayOfSalesReturnLine
  SalesReturnLine* gp:SalesReturnLine
type gp:SalesDocumentSummaryBase abstract
  DocumentTypeKey? gp:SalesDocumentTypeKey
  Key? gp:SalesDocumentKey
  MasterNumber xs:int
  CustomerKey? gp:CustomerKey
  CustomerPONumber? xs:string
  CustomerName? xs:string
  Date xs:dateTime
  CurrencyKey? gp:CurrencyKey
  LineTotalAmount? gp:MoneyAmount
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  TotalAmount? gp:MoneyAmount
  CreatedDate xs:dateTime
  ModifiedDate xs:dateTime
  LastModifiedDate xs:dateTime
  TransactionState gp:SalesTransactionState
  BatchKey? gp:BatchKey
type gp:SalesInvoiceSummary : gp:SalesDocumentSummaryBase
type gp:ArrayOfSalesInvoiceSummary
  SalesInvoiceSummary* gp:SalesInvoiceSummary
type gp:SalesReturnSummary : gp:SalesDocumentSummaryBase
type gp:ArrayOfSalesReturnSummary
  SalesReturnSummary* gp:SalesReturnSummary

# ---- RM credit memos ------------------------------------------------------------------------------
type gp:ReceivablesDistribution : gp:Distribution
  Key? gp:ReceivablesDistributionKey
  IsPosted xs:boolean
type gp:ArrayOfReceivablesDistribution
  ReceivablesDistribution* gp:ReceivablesDistribution
type gp:ReceivablesDocument : gp:BusinessObject abstract
  Key? gp:ReceivablesDocumentKey
  Type gp:ReceivablesDocumentType
  Date xs:dateTime
  DocumentAmount? gp:MoneyAmount
  SalesAmount? gp:MoneyAmount
  Description? xs:string
  CustomerPONumber? xs:string
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  ExchangeRate xs:decimal
  ExchangeDate xs:dateTime
  CustomerName? xs:string
  TransactionState gp:ReceivablesTransactionState
  GeneralLedgerPostingDate xs:dateTime
  PostedDate xs:dateTime
  IsElectronic xs:boolean
  IsIntrastatDocument xs:boolean
  IsDirectDebitDocument xs:boolean
  InvoicePaidOffDate xs:dateTime
  IsDeleted xs:boolean
  IsVoided xs:boolean
  VoidDate xs:dateTime
  ModifiedDate xs:dateTime
  BatchKey? gp:BatchKey
  CustomerKey? gp:CustomerKey
  AddressKey? gp:CustomerAddressKey
  CurrencyKey? gp:CurrencyKey
  Distributions? gp:ArrayOfReceivablesDistribution
type gp:ReceivablesCreditDocument : gp:ReceivablesDocument abstract
type gp:ReceivablesCreditMemo : gp:ReceivablesCreditDocument
type gp:ReceivablesDocumentSummaryBase abstract
  Key? gp:ReceivablesDocumentKey
  CustomerKey? gp:CustomerKey
  CustomerPONumber? xs:string
  CustomerName? xs:string
  Date xs:dateTime
  CurrencyKey? gp:CurrencyKey
  BatchKey? gp:BatchKey
  TradeDiscountAmount? gp:MoneyAmount
  FreightAmount? gp:MoneyAmount
  MiscellaneousAmount? gp:MoneyAmount
  TaxAmount? gp:MoneyAmount
  DocumentAmount? gp:MoneyAmount
  ModifiedDate xs:dateTime
  TransactionState gp:ReceivablesTransactionState
type gp:ReceivablesCreditMemoSummary : gp:ReceivablesDocumentSummaryBase
type gp:ArrayOfReceivablesCreditMemoSummary
  ReceivablesCreditMemoSummary* gp:ReceivablesCreditMemoSummary
"""

# The operations served: input wrapper children (all complete, in GP's order) and the result.
OPERATIONS = """
GetCompanyList(criteria? gp:CompanyCriteria, context? dyn:Context) -> gp:ArrayOfCompany
GetCompanyByKey(key? dyn:CompanyKey, context? dyn:Context) -> gp:Company
GetPolicyByOperation(operation? xs:string, context? dyn:Context) -> gp:Policy
CreatePolicy(policy? gp:Policy, roleKey? sec:RoleKey, context? dyn:Context)
UpdatePolicy(policy? gp:Policy, roleKey? sec:RoleKey, context? dyn:Context)
GetCustomerByKey(key? gp:CustomerKey, context? dyn:Context) -> gp:Customer
GetCustomerList(criteria? gp:CustomerCriteria, context? dyn:Context) -> gp:ArrayOfCustomerSummary
CreateCustomer(customer? gp:Customer, context? dyn:Context, policy? gp:Policy)
UpdateCustomer(customer? gp:Customer, context? dyn:Context, policy? gp:Policy)
GetCustomerAddressByKey(key? gp:CustomerAddressKey, context? dyn:Context) -> gp:CustomerAddress
GetCustomerAddressList(criteria? gp:CustomerAddressCriteria, context? dyn:Context) -> gp:ArrayOfCustomerAddressSummary
CreateCustomerAddress(address? gp:CustomerAddress, context? dyn:Context, policy? gp:Policy)
UpdateCustomerAddress(address? gp:CustomerAddress, context? dyn:Context, policy? gp:Policy)
GetItemByKey(key? gp:ItemKey, context? dyn:Context) -> gp:Item
GetItemList(criteria? gp:ItemCriteria, context? dyn:Context) -> gp:ArrayOfItemSummary
GetInventoriedItemByKey(key? gp:ItemKey, context? dyn:Context) -> gp:InventoriedItem
GetItemWarehouseByKey(key? gp:ItemWarehouseKey, context? dyn:Context) -> gp:ItemWarehouse
GetItemWarehouseList(criteria? gp:ItemWarehouseCriteria, context? dyn:Context) -> gp:ArrayOfItemWarehouseSummary
GetPricingByKey(key? gp:PricingKey, context? dyn:Context) -> gp:Pricing
GetPricingList(criteria? gp:PricingCriteria, context? dyn:Context) -> gp:ArrayOfPricingSummary
GetPriceLevelByKey(key? gp:PriceLevelKey, context? dyn:Context) -> gp:PriceLevel
GetPriceLevelList(criteria? gp:PriceLevelCriteria, context? dyn:Context) -> gp:ArrayOfPriceLevel
CreateInventoryAdjustment(inventoryAdjustment? gp:InventoryAdjustment, context? dyn:Context, policy? gp:Policy)
CreateSalesInvoice(salesInvoice? gp:SalesInvoice, context? dyn:Context, policy? gp:Policy)
GetSalesInvoiceByKey(key? gp:SalesDocumentKey, context? dyn:Context) -> gp:SalesInvoice
GetSalesInvoiceList(criteria? gp:SalesInvoiceCriteria, context? dyn:Context) -> gp:ArrayOfSalesInvoiceSummary
UpdateSalesInvoice(salesInvoice? gp:SalesInvoice, context? dyn:Context, policy? gp:Policy)
VoidSalesInvoice(key? gp:SalesDocumentKey, context? dyn:Context, policy? gp:Policy)
DeleteSalesInvoice(key? gp:SalesDocumentKey, context? dyn:Context, policy? gp:Policy)
CreateSalesReturn(salesReturn? gp:SalesReturn, context? dyn:Context, policy? gp:Policy)
GetSalesReturnByKey(key? gp:SalesDocumentKey, context? dyn:Context) -> gp:SalesReturn
GetSalesReturnList(criteria? gp:SalesReturnCriteria, context? dyn:Context) -> gp:ArrayOfSalesReturnSummary
CreateReceivablesCreditMemo(receivablesCreditMemo? gp:ReceivablesCreditMemo, context? dyn:Context, policy? gp:Policy)
GetReceivablesCreditMemoByKey(key? gp:ReceivablesDocumentKey, context? dyn:Context) -> gp:ReceivablesCreditMemo
GetReceivablesCreditMemoList(criteria? gp:ReceivablesCreditMemoCriteria, context? dyn:Context) -> gp:ArrayOfReceivablesCreditMemoSummary
VoidReceivablesCreditMemo(key? gp:ReceivablesDocumentKey, context? dyn:Context, policy? gp:Policy)
GetChangedCustomerKeyList(criteria? gp:CustomerChangedKeyCriteria, context? dyn:Context) -> gp:ArrayOfChangedCustomerKey
GetChangedItemKeyList(criteria? gp:ItemChangedKeyCriteria, context? dyn:Context) -> gp:ArrayOfChangedItemKey
GetChangedPricingKeyList(criteria? gp:PricingChangedKeyCriteria, context? dyn:Context) -> gp:ArrayOfChangedPricingKey
GetChangedSalesInvoiceKeyList(criteria? gp:SalesInvoiceChangedKeyCriteria, context? dyn:Context) -> gp:ArrayOfChangedSalesInvoiceKey
GetLoggedValidationResultByKey(logId! mst:guid, context? dyn:Context) -> gp:ValidationResult
"""
